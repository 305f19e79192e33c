import * as z from 'zod';
import { event, method } from './define';
import { timestampMs } from './fields';

export interface Memory {
  id: number;
  text: string;
  category: string;
  tags: string[];
  /** Where it came from, and who added it (the caller's actor; null before this was recorded). */
  source: { kind: 'user' | 'message' | 'tool'; sessionId: string | null; messageId: number | null; actor: string | null };
  createdAt: number;
  updatedAt: number;
  /** Whether it has a vector yet (it is found by its words either way). */
  indexed: boolean;
}

/** What `memory.add` did: added, or updated the memory stating the same fact (and what it replaced). */
export interface MemoryAdded {
  memory: Memory;
  action: 'added' | 'updated';
  duplicateOf: number | null;
  replaced: { text: string; category: string; tags: string[] } | null;
}

export interface MemoryVersion {
  text: string;
  category: string;
  tags: string[];
  replacedAt: number;
}

export interface MemoryHit {
  memory: Memory;
  score: number;
  snippet: string;
  via: ('words' | 'meaning')[];
}

export interface IndexStatus {
  provider: string;
  dimensions: number | null;
  ready: boolean;
  /** Rows waiting for a vector. */
  pending: number;
  reindexing: { done: number; total: number } | null;
  error: string | null;
}

const memoryText = z.string().trim().min(1, 'must not be empty').max(20_000);
const category = z.string().trim().min(1).max(100);
const tags = z.array(z.string().trim().min(1).max(100)).max(50);
const source = z
  .object({
    kind: z.enum(['user', 'message', 'tool']),
    sessionId: z.string().max(100).nullable().default(null),
    messageId: z.number().int().nullable().default(null),
    actor: z.string().max(200).nullable().default(null),
  })
  .strict();

const memorySchema = z
  .object({
    id: z.number().int(),
    text: memoryText,
    category,
    tags,
    source,
    createdAt: timestampMs,
    updatedAt: timestampMs,
    indexed: z.boolean().optional(),
  })
  .strict();

/** What an import did: empty entries are skipped (1-based entry numbers, as a person counts), the rest imported. */
export interface MemoryImported {
  added: number;
  updated: number;
  skipped: { entry: number; reason: string }[];
}

/** What an import takes, said the way a person would write the file. */
export const IMPORT_SHAPE = 'must be an export of Switchboard ({"memories": [{"text": "…"}]}), a list of memories ([{"text": "…", "tags": ["…"]}]) or a list of texts (["…", "…"])';

export const memoryMethods = {
  'memory.list': method<{ memories: Memory[]; total: number; categories: { name: string; count: number }[] }>()(
    z.object({ category: category.optional(), limit: z.number().int().min(1).max(1000).default(200), offset: z.number().int().min(0).default(0) }).strict(),
    'Memories, newest first, with the categories in use.',
  ),
  'memory.search': method<{ hits: MemoryHit[]; usedVectors: boolean }>()(
    z.object({ query: z.string().trim().min(1, 'must not be empty').max(2000), category: category.optional(), limit: z.number().int().min(1).max(100).default(20) }).strict(),
    'Hybrid search over memories.',
  ),
  'memory.add': method<MemoryAdded>()(
    z.object({ text: memoryText, category: category.default('general'), tags: tags.default([]), source: source.default({ kind: 'user', sessionId: null, messageId: null, actor: null }) }).strict(),
    'Remember something; the same fact said again (other case, punctuation, word forms, typos) updates the existing memory instead, and says what it replaced.',
  ),
  'memory.versions': method<MemoryVersion[]>()(z.object({ id: z.number().int() }).strict(), 'Earlier texts of a memory, newest first: what edits and merges replaced.'),
  'memory.update': method<Memory>()(z.object({ id: z.number().int(), text: memoryText.optional(), category: category.optional(), tags: tags.optional() }).strict(), 'Correct a memory.'),
  'memory.delete': method<{ deleted: Memory }>()(z.object({ id: z.number().int() }).strict(), 'Forget: text, word index and vector, all gone. Returns what was removed (for undo).'),
  'memory.restore': method<Memory>()(z.object({ memory: memorySchema }).strict(), 'Put back a memory just deleted, with its id and provenance.'),
  'memory.export': method<{ version: 1; exportedAt: number; memories: Memory[] }>()(z.object({}).strict(), 'All memories as JSON.'),
  'memory.import': method<MemoryImported>()(
    z
      .object({
        // An export, or a hand-written list: of memories (only the text is needed) or of plain texts.
        data: z.preprocess(
          (data) => (Array.isArray(data) ? { memories: data } : data),
          z.object(
            {
              version: z.literal(1).default(1),
              memories: z
                .array(
                  z.preprocess(
                    (item) => (typeof item === 'string' ? { text: item } : item),
                    memorySchema
                      // An empty entry (a stray "" or blank line) is skipped and counted, not a refusal of the whole file.
                      .extend({ text: z.string().trim().max(20_000), category: category.default('general'), tags: tags.default([]), source: source.default({ kind: 'user', sessionId: null, messageId: null, actor: null }) })
                      .partial({ id: true, createdAt: true, updatedAt: true }),
                  ),
                )
                .max(100_000),
            },
            { error: IMPORT_SHAPE },
          ),
        ),
      })
      .strict(),
    'Add memories from an export; near-duplicates update instead.',
  ),
  'memory.indexStatus': method<IndexStatus>()(z.object({}).strict(), 'Embedding provider, dimension, pending rows and re-embedding progress.'),
  'memory.setEmbeddingKey': method<{ stored: boolean }>()(z.object({ key: z.string().trim().min(1).max(500).nullable() }).strict(), 'The API key of the OpenAI-compatible endpoint, kept with the secrets (null removes it).'),
};

export const memoryEvents = {
  'memory.changed': event<Memory>('A memory was added or corrected.'),
  'memory.removed': event<{ id: number }>('A memory was forgotten.'),
  'memory.indexStatus': event<IndexStatus>('Embedding progress or a provider change.'),
};
