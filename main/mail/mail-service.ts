import type { MailSent, RunDelivery } from '../../contract';
import { AppError, errorMessage } from '../errors';
import type { CallContext } from '../ipc/router';
import { isOwner } from '../ipc/owner';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { SecretStore } from '../secrets/secret-store';
import { readSendable, type SendRules } from '../sendable-file';
import type { SettingsService } from '../settings/settings-service';
import { markdownToHtml } from './markdown-html';

/** Where the SMTP password is kept with the other secrets. */
export const SMTP_PASSWORD_SECRET = 'mail.smtpPassword';
/** What one mail carries in files at most (most servers refuse 25 MB and more): past it, files are named with where to get them. */
export const MAX_MAIL_ATTACHMENTS_BYTES = 20 * 1024 * 1024;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Mail out through the user's SMTP server (nodemailer): job results as text and HTML (rendered
 * Markdown) with the run's files attached, and a test message from Settings. The password is a secret,
 * never a setting; files go only by the rules for what may leave the machine.
 */
export class MailService implements Service {
  readonly name = 'mail';

  constructor(
    private readonly deps: {
      settings: SettingsService;
      secrets: SecretStore;
      files: SendRules;
      /** The run's page in the window, when the window has an address. */
      link: (hash: string) => string | null;
    },
  ) {}

  start(): void {}
  stop(): void {}

  status(): { configured: boolean; passwordSet: boolean } {
    return { configured: !!(this.deps.settings.get('mail.smtpHost') && this.deps.settings.get('mail.from')), passwordSet: !!this.deps.secrets.get(SMTP_PASSWORD_SECRET) };
  }

  setPassword(password: string | null, from: CallContext): { set: boolean } {
    if (!isOwner(from)) throw new AppError('unauthorized', 'The mail password can be set only in the Switchboard window.');
    if (password === null) this.deps.secrets.delete(SMTP_PASSWORD_SECRET);
    else this.deps.secrets.set(SMTP_PASSWORD_SECRET, password);
    return { set: password !== null };
  }

  async test(to: string, from: CallContext): Promise<MailSent> {
    if (!isOwner(from)) throw new AppError('unauthorized', 'A test mail can be sent only from the Switchboard window.');
    return this.send({ to: [to], subject: 'Switchboard: test message', markdown: 'This is a test message from **Switchboard**. Mail from your scheduled jobs will arrive like this.', attachments: [] });
  }

  /** A job's result to the job's addresses: whether it went (false when the job names none). */
  async deliverRun(delivery: RunDelivery): Promise<boolean> {
    const { job, run } = delivery;
    if (!job.delivery.email.length) return false;
    const attachments: { filename: string; content: Buffer }[] = [];
    const notes: string[] = [];
    let total = 0;
    for (const file of delivery.files) {
      if (total + file.size > MAX_MAIL_ATTACHMENTS_BYTES) {
        notes.push(`${file.name} (${mb(file.size)}) would make the mail larger than ${mb(MAX_MAIL_ATTACHMENTS_BYTES)}; it is in the run's folder${this.deps.link('') ? ' and can be downloaded from the run in Switchboard' : ''}.`);
        continue;
      }
      try {
        const content = await readSendable(file.path, this.deps.files);
        total += content.length;
        attachments.push({ filename: file.name, content });
      } catch (error) {
        notes.push(`${file.name} was not attached: ${errorMessage(error)}`);
      }
    }
    const link = this.deps.link(`#/schedules/${job.id}/runs/${run.id}`);
    const body = (run.resultText ?? run.reason ?? run.stdoutTail ?? '').trim() || `(the run ended ${run.status} with no text)`;
    const markdown = [body, ...notes.map((n) => `*${n}*`), link ? `[Open the run in Switchboard](${link})` : ''].filter(Boolean).join('\n\n');
    await this.send({ to: job.delivery.email, subject: `${job.name}: ${run.status === 'ok' ? 'done' : run.status}`, markdown, attachments });
    return true;
  }

  private async send(message: { to: string[]; subject: string; markdown: string; attachments: { filename: string; content: Buffer }[] }): Promise<MailSent> {
    const s = this.deps.settings;
    const host = s.get('mail.smtpHost');
    const sender = s.get('mail.from');
    if (!host || !sender) throw new AppError('unavailable', 'Mail is not set up: Settings → Mail needs the SMTP server and the address to send as.');
    const user = s.get('mail.smtpUser');
    const pass = this.deps.secrets.get(SMTP_PASSWORD_SECRET);
    const nodemailer = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host,
      port: s.get('mail.smtpPort'),
      secure: s.get('mail.smtpSecure'),
      ...(user ? { auth: { user, pass: pass ?? '' } } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
    try {
      const info = await transport.sendMail({
        from: sender,
        to: message.to,
        subject: message.subject,
        text: message.markdown,
        html: `<!doctype html><html><body>${markdownToHtml(message.markdown)}</body></html>`,
        attachments: message.attachments,
      });
      return { messageId: info.messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: String(info.response ?? '') };
    } catch (error) {
      const id = log.error('mail: sending failed', error, { host });
      throw new AppError('unavailable', `The mail server ${host} did not take the message: ${errorMessage(error).slice(0, 200)} (error ${id}).`);
    } finally {
      transport.close();
    }
  }
}
