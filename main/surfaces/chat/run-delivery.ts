import type { ChatSurface, RunDelivery } from '../../../contract';
import { errorMessage } from '../../errors';
import { log } from '../../log';
import { readSendable, type SendRules } from '../../sendable-file';
import type { OutboxEntry } from './outbox';

/** The most a bot may upload as one document: Telegram's Bot API takes 50 MB, Discord 10 MB without a boosted server. */
export const DOCUMENT_LIMIT: Record<ChatSurface, number> = { telegram: 50 * 1024 * 1024, discord: 10 * 1024 * 1024 };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A job's result as outbox entries for some chats: the text (with a link to the run in the window),
 * then each file of the run as a document. A file over the app's limit, or one the rules for what
 * may leave the machine refuse, is named in the text instead, with where to get it.
 */
export async function runDeliveryEntries(options: {
  delivery: RunDelivery;
  chats: string[];
  surface: ChatSurface;
  format: (markdown: string) => string[];
  link: string | null;
  files: SendRules;
}): Promise<OutboxEntry[]> {
  const { delivery, chats, surface, format, link } = options;
  const { job, run } = delivery;
  const sendable: { name: string; content: string }[] = [];
  const notes: string[] = [];
  for (const file of delivery.files) {
    if (file.size > DOCUMENT_LIMIT[surface]) {
      notes.push(`${file.name} (${mb(file.size)}) is over ${surface === 'telegram' ? 'Telegram' : 'Discord'}'s ${mb(DOCUMENT_LIMIT[surface])} for a bot's file${link ? ': download it from the run in Switchboard' : ': it is in the run folder'}`);
      continue;
    }
    try {
      sendable.push({ name: file.name, content: (await readSendable(file.path, options.files)).toString('base64') });
    } catch (error) {
      notes.push(`${file.name} was not sent: ${errorMessage(error)}`);
      log.warn('a run’s file was not sent', { runId: run.id, file: file.name, reason: errorMessage(error) });
    }
  }
  const body = (run.resultText ?? run.reason ?? run.stdoutTail ?? '').trim();
  const markdown = [
    `${run.status === 'ok' ? '✅' : '⚠️'} *${job.name}*: ${run.status === 'ok' ? 'done' : run.status}`,
    body.slice(0, 3000),
    sendable.length ? `📎 ${sendable.map((f) => f.name).join(', ')}` : '',
    ...notes.map((n) => `_${n}_`),
    link ? `[Open in Switchboard](${link})` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const text = format(markdown)[0]!;
  return chats.flatMap((chatKey) => [
    { chatKey, op: 'send' as const, payload: { text }, dedupe: `run:${run.id}:${chatKey}` },
    ...sendable.map((f) => ({ chatKey, op: 'document' as const, payload: { fileName: f.name, content: f.content }, dedupe: `run:${run.id}:${chatKey}:file:${f.name}` })),
  ]);
}
