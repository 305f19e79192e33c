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

/** Where a result goes and what that chat app allows: the same for a job's run and a background task. */
export interface ResultTarget {
  chats: string[];
  facts: AppLimits;
  format: (markdown: string) => string[];
  /** The result in the window, or null where there is no address to give. */
  link: string | null;
  /** What may leave the machine as a file. */
  files: SendRules;
}

/**
 * A result as outbox entries for some chats: the text (with a link to it in the window), then each file
 * as a document. A file over the app's limit, or one the rules for what may leave the machine refuse, is
 * named in the text instead, with where to get it. Job runs and background tasks both arrive this way.
 */
export async function resultEntries(
  result: {
    /** The first line: what ended and how (`✅ *Weekly report*: done`). */
    heading: string;
    body: string;
    files: { name: string; path: string; size: number }[];
    /** Sent once per chat under this key (and each file under it too). */
    dedupe: string;
    about: OutboxAbout;
  },
  target: ResultTarget,
): Promise<OutboxEntry[]> {
  const { chats, facts, format, link } = target;
  const { about } = result;
  const sendable: { name: string; content: string }[] = [];
  const notes: string[] = [];
  for (const file of result.files) {
    if (file.size > facts.documentLimit) {
      notes.push(`${file.name} (${mb(file.size)}) is over ${facts.label}'s ${mb(facts.documentLimit)} for a bot's file${link ? ': download it in Switchboard' : ': it is in the output folder'}`);
      continue;
    }
    try {
      sendable.push({ name: file.name, content: (await readSendable(file.path, target.files)).toString('base64') });
    } catch (error) {
      notes.push(`${file.name} was not sent: ${errorMessage(error)}`);
      log.warn('a result’s file was not sent', { dedupe: result.dedupe, file: file.name, reason: errorMessage(error) });
    }
  }
  const markdown = [result.heading, result.body.trim().slice(0, 3000), sendable.length ? `📎 ${sendable.map((f) => f.name).join(', ')}` : '', ...notes.map((n) => `_${n}_`), link ? `[Open in Switchboard](${link})` : '']
    .filter(Boolean)
    .join('\n\n');
  const text = format(markdown)[0]!;
  return chats.flatMap((chatKey) => [
    { chatKey, about, op: 'send' as const, payload: { text }, dedupe: `${result.dedupe}:${chatKey}` },
    ...sendable.map((f) => ({ chatKey, about, op: 'document' as const, payload: { fileName: f.name, content: f.content }, dedupe: `${result.dedupe}:${chatKey}:file:${f.name}` })),
  ]);
}

/** A job's result for some chats: its text and its run's files (see resultEntries). */
export function runDeliveryEntries(delivery: RunDelivery, target: ResultTarget): Promise<OutboxEntry[]> {
  const { job, run } = delivery;
  return resultEntries(
    {
      heading: `${run.status === 'ok' ? '✅' : '⚠️'} *${job.name}*: ${run.status === 'ok' ? 'done' : run.status}`,
      body: run.resultText ?? run.reason ?? run.stdoutTail ?? '',
      files: delivery.files,
      dedupe: `run:${run.id}`,
      about: { kind: 'run', runId: run.id },
    },
    target,
  );
}

/** A background task's answer and files for the chat that asked for it (see resultEntries). */
export function taskDeliveryEntries(task: Task, target: ResultTarget): Promise<OutboxEntry[]> {
  return resultEntries(
    {
      heading: `${task.status === 'done' ? '✅' : '⚠️'} *${task.title}* — ${task.status}`,
      body: task.status === 'done' ? (task.resultText ?? '(no text)') : (task.error ?? ''),
      files: task.outputDir ? task.attachments.map((a) => ({ ...a, path: path.join(task.outputDir!, a.name) })) : [],
      dedupe: `task:${task.id}`,
      about: { kind: 'task', taskId: task.id },
    },
    target,
  );
}
