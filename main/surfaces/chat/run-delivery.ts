import path from 'node:path';
import type { RunDelivery, Task } from '../../../contract';
import { errorMessage } from '../../errors';
import { log } from '../../log';
import { readSendable, type SendRules } from '../../sendable-file';
import type { OutboxAbout, OutboxEntry } from './outbox';
import type { ChatAppFacts } from './surfaces';

/** The chat app a result goes to: its name and the most a bot may upload as one document there. */
type AppLimits = Pick<ChatAppFacts, 'label' | 'documentLimit'>;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A result as outbox entries for some chats: the text (with a link to it in the window), then each file
 * as a document. A file over the app's limit, or one the rules for what may leave the machine refuse, is
 * named in the text instead, with where to get it. Job runs and background tasks both arrive this way.
 */
export async function resultEntries(options: {
  /** The first line: what ended and how (`✅ *Weekly report*: done`). */
  heading: string;
  body: string;
  files: { name: string; path: string; size: number }[];
  /** Sent once per chat under this key (and each file under it too). */
  dedupe: string;
  about: OutboxAbout;
  chats: string[];
  facts: AppLimits;
  format: (markdown: string) => string[];
  link: string | null;
  rules: SendRules;
}): Promise<OutboxEntry[]> {
  const { chats, facts, format, link, about } = options;
  const sendable: { name: string; content: string }[] = [];
  const notes: string[] = [];
  for (const file of options.files) {
    if (file.size > facts.documentLimit) {
      notes.push(`${file.name} (${mb(file.size)}) is over ${facts.label}'s ${mb(facts.documentLimit)} for a bot's file${link ? ': download it in Switchboard' : ': it is in the output folder'}`);
      continue;
    }
    try {
      sendable.push({ name: file.name, content: (await readSendable(file.path, options.rules)).toString('base64') });
    } catch (error) {
      notes.push(`${file.name} was not sent: ${errorMessage(error)}`);
      log.warn('a result’s file was not sent', { dedupe: options.dedupe, file: file.name, reason: errorMessage(error) });
    }
  }
  const markdown = [options.heading, options.body.trim().slice(0, 3000), sendable.length ? `📎 ${sendable.map((f) => f.name).join(', ')}` : '', ...notes.map((n) => `_${n}_`), link ? `[Open in Switchboard](${link})` : '']
    .filter(Boolean)
    .join('\n\n');
  const text = format(markdown)[0]!;
  return chats.flatMap((chatKey) => [
    { chatKey, about, op: 'send' as const, payload: { text }, dedupe: `${options.dedupe}:${chatKey}` },
    ...sendable.map((f) => ({ chatKey, about, op: 'document' as const, payload: { fileName: f.name, content: f.content }, dedupe: `${options.dedupe}:${chatKey}:file:${f.name}` })),
  ]);
}

/** A job's result for some chats: its text and its run's files (see resultEntries). */
export function runDeliveryEntries(options: {
  delivery: RunDelivery;
  chats: string[];
  facts: AppLimits;
  format: (markdown: string) => string[];
  link: string | null;
  files: SendRules;
}): Promise<OutboxEntry[]> {
  const { job, run } = options.delivery;
  return resultEntries({
    heading: `${run.status === 'ok' ? '✅' : '⚠️'} *${job.name}*: ${run.status === 'ok' ? 'done' : run.status}`,
    body: run.resultText ?? run.reason ?? run.stdoutTail ?? '',
    files: options.delivery.files,
    dedupe: `run:${run.id}`,
    about: { kind: 'run', runId: run.id },
    chats: options.chats,
    facts: options.facts,
    format: options.format,
    link: options.link,
    rules: options.files,
  });
}

/** A background task's answer and files for the chat that asked for it (see resultEntries). */
export function taskDeliveryEntries(options: { task: Task; chats: string[]; facts: AppLimits; format: (markdown: string) => string[]; link: string | null; files: SendRules }): Promise<OutboxEntry[]> {
  const { task } = options;
  return resultEntries({
    heading: `${task.status === 'done' ? '✅' : '⚠️'} *${task.title}* — ${task.status}`,
    body: task.status === 'done' ? (task.resultText ?? '(no text)') : (task.error ?? ''),
    files: task.outputDir ? task.attachments.map((a) => ({ ...a, path: path.join(task.outputDir!, a.name) })) : [],
    dedupe: `task:${task.id}`,
    about: { kind: 'task', taskId: task.id },
    chats: options.chats,
    facts: options.facts,
    format: options.format,
    link: options.link,
    rules: options.files,
  });
}
