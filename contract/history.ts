import * as z from 'zod';
import { event, method } from './define';
import { timestampMs } from './fields';
import { surfaces, type Surface } from './sessions';
import type { Message } from './sessions';

/** Marks around the matched words in a snippet: plain characters, so no HTML crosses the boundary. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

export interface SearchHit {
  messageId: number;
  sessionId: string;
  sessionTitle: string;
  surface: Surface;
  cwd: string;
  role: string;
  kind: string;
  createdAt: number;
  /** Text around the match, matches between MARK_START and MARK_END. */
  snippet: string;
  /** Reciprocal-rank-fusion score: higher is better. */
  score: number;
  via: ('words' | 'meaning')[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  surface: Surface;
  cwd: string;
  /** The folder is the session's own in the data folder (started without a project), not a project of the user's. */
  ownFolder: boolean;
  claudeSessionId: string;
  messageCount: number;
  updatedAt: number;
}

/** A page of a conversation: a million messages are never read in one call. */
export interface MessagePage {
  messages: Message[];
  /** Pass as `after` for the next page; null when this page reached the end. */
  next: number | null;
}

export interface ImportProgress {
  running: boolean;
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  messages: number;
  malformed: number;
  error: string | null;
  /** Over every import so far, live follow included: transcript files read, and bad lines skipped in them. */
  totals: { files: number; malformed: number };
}

export const searchFiltersSchema = z
  .object({
    surface: z.array(z.enum(surfaces)).max(20).optional(),
    cwd: z.string().max(4096).optional(),
    sessionId: z.string().max(100).optional(),
    role: z.array(z.enum(['user', 'assistant', 'tool', 'system'])).max(4).optional(),
    from: timestampMs.optional(),
    to: timestampMs.optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, { path: ['from'], message: 'the start comes after the end' });

export type SearchFilters = z.infer<typeof searchFiltersSchema>;

export const historyMethods = {
  'history.search': method<{ hits: SearchHit[]; usedVectors: boolean; tookMs: number }>()(
    z.object({ query: z.string().trim().min(1, 'must not be empty').max(2000), filters: searchFiltersSchema.default({}), limit: z.number().int().min(1).max(200).default(30) }).strict(),
    'Words (BM25) and meaning (vectors) fused by reciprocal rank, with filters; each hit names its message.',
  ),
  'history.conversations': method<ConversationSummary[]>()(z.object({}).strict(), 'Every conversation, from every surface, newest first.'),
  'history.messages': method<MessagePage>()(
    z.object({ sessionId: z.string().min(1).max(100), after: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(5000).default(1000) }).strict(),
    'One page of a conversation, oldest first: the messages after the `after` id; `next` is the cursor for the next page, null at the end.',
  ),
  'history.import': method<ImportProgress>()(z.object({}).strict(), 'Import Claude Code transcripts now (incremental; it also runs on start and follows live).'),
  'history.importStatus': method<ImportProgress>()(z.object({}).strict(), 'Where the transcript import stands.'),
};

export const historyEvents = {
  'history.importProgress': event<ImportProgress>('Transcript import progress.'),
};
