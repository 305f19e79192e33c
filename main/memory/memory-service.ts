import type { Memory, MemoryAdded, MemoryHit, MemoryImported, MemoryVersion } from '../../contract';
import { MARK_END, MARK_START } from '../../contract';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import { ftsQueries, ftsQuery, ftsRanked, fuse, meaningful, plainSnippet } from '../retrieval/hybrid';
import type { Service } from '../lifecycle';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';
import type { EmbeddingRows, EmbeddingService } from '../retrieval/embedding-service';
import { sameFact } from './near-duplicate';
import { sharesAWord } from '../retrieval/relevance';

interface Row {
  id: number;
  text: string;
  category: string;
  tags: string;
  source_kind: Memory['source']['kind'];
  source_session_id: string | null;
  source_message_id: number | null;
  actor: string | null;
  vec_state: number;
  created_at: number;
  updated_at: number;
}

function toMemory(row: Row): Memory {
  return {
    id: row.id,
    text: row.text,
    category: row.category,
    tags: JSON.parse(row.tags) as string[],
    source: { kind: row.source_kind, sessionId: row.source_session_id, messageId: row.source_message_id, actor: row.actor },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    indexed: row.vec_state === 1,
  };
}

export interface NewMemory {
  text: string;
  category: string;
  tags: string[];
  /** The actor is the caller's; memories added by the app itself (an import) may leave it out. */
  source: Omit<Memory['source'], 'actor'> & { actor?: string | null };
}

/** What the user and Claude remember: added, searched, corrected, and forgotten for good. */
export class MemoryService implements Service {
  readonly name = 'memory';

  constructor(private readonly deps: { storage: StorageService; events: EventBus; settings: SettingsService; embeddings: EmbeddingService }) {}

  start(): void {}
  stop(): void {}

  private get db() {
    return this.deps.storage.db;
  }

  /** How many memories are kept (the machine panel). */
  count(): number {
    return this.db.prepare('SELECT count(*) FROM memories').pluck().get() as number;
  }

  get(id: number): Memory {
    const row = this.db.prepare('SELECT * FROM memories WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new AppError('not_found', `no memory ${id}`);
    return toMemory(row);
  }

  list(options: { category?: string; limit: number; offset: number }): { memories: Memory[]; total: number; categories: { name: string; count: number }[] } {
    const where = options.category ? 'WHERE category = ?' : '';
    const args = options.category ? [options.category] : [];
    const rows = this.db.prepare(`SELECT * FROM memories ${where} ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`).all(...args, options.limit, options.offset) as Row[];
    const total = this.db.prepare(`SELECT count(*) FROM memories ${where}`).pluck().get(...args) as number;
    const categories = this.db.prepare('SELECT category AS name, count(*) AS count FROM memories GROUP BY category ORDER BY count DESC, name').all() as { name: string; count: number }[];
    return { memories: rows.map(toMemory), total, categories };
  }

  /** Adds, unless the same fact is already kept: then that one is updated, and the answer says what it replaced. */
  async add(input: NewMemory): Promise<MemoryAdded> {
    const duplicate = await this.findDuplicate(input.text);
    if (duplicate) {
      const merged = [...new Set([...duplicate.tags, ...input.tags])];
      const memory = this.write(duplicate.id, duplicate, { text: input.text, category: duplicate.category, tags: merged });
      return { memory, action: 'updated', duplicateOf: duplicate.id, replaced: { text: duplicate.text, category: duplicate.category, tags: duplicate.tags } };
    }
    const now = Date.now();
    const id = this.db.transaction(() => {
      const row = this.db
        .prepare(
          `INSERT INTO memories (text, category, tags, source_kind, source_session_id, source_message_id, actor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .get(input.text, input.category, JSON.stringify(input.tags), input.source.kind, input.source.sessionId, input.source.messageId, input.source.actor ?? null, now, now) as { id: number };
      this.deps.embeddings.embedInline('memories', [{ id: row.id, text: input.text, meta: { category: input.category } }]);
      return row.id;
    })();
    this.deps.embeddings.kick();
    const memory = this.get(id);
    this.deps.events.emit('memory.changed', memory);
    return { memory, action: 'added', duplicateOf: null, replaced: null };
  }

  /**
   * A correction. Edited into the words of another memory, it is refused: the same-fact rule holds for
   * edits as for adds, and two copies of one fact would drift apart. Nothing changed, nothing is written.
   */
  async update(id: number, patch: { text?: string; category?: string; tags?: string[] }): Promise<Memory> {
    const current = this.get(id);
    const next = { text: patch.text ?? current.text, category: patch.category ?? current.category, tags: patch.tags ?? current.tags };
    if (next.text === current.text && next.category === current.category && next.tags.join('\n') === current.tags.join('\n')) return current;
    if (next.text !== current.text) {
      const same = await this.findDuplicate(next.text, id);
      if (same) throw new AppError('conflict', `That says the same as another memory (#${same.id}): “${same.text.slice(0, 120)}”. Edit that one, or delete it first.`);
    }
    return this.write(id, current, next);
  }

  private write(id: number, current: Memory, next: { text: string; category: string; tags: string[] }): Memory {
    this.db.transaction(() => {
      // What an update replaces is kept, so a wrong merge or edit can always be taken back.
      this.db
        .prepare('INSERT INTO memory_versions (memory_id, text, category, tags, replaced_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, current.text, current.category, JSON.stringify(current.tags), Date.now());
      this.db.prepare('UPDATE memories SET text = ?, category = ?, tags = ?, vec_state = 0, updated_at = ? WHERE id = ?').run(next.text, next.category, JSON.stringify(next.tags), Date.now(), id);
      this.deps.embeddings.memories.delete(id);
      this.deps.embeddings.embedInline('memories', [{ id, text: next.text, meta: { category: next.category } }]);
    })();
    this.deps.embeddings.kick();
    const memory = this.get(id);
    this.deps.events.emit('memory.changed', memory);
    return memory;
  }

  /** Forget means gone: the row, its words in the index (by trigger), and its vector, in one transaction. */
  delete(id: number): Memory {
    const memory = this.get(id);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM memories WHERE id = ?').run(id);
      this.deps.embeddings.memories.delete(id);
    })();
    this.deps.events.emit('memory.removed', { id });
    return memory;
  }

  /** Undo of a delete: the same id and provenance. */
  restore(memory: Omit<Memory, 'indexed'>): Memory {
    if (this.db.prepare('SELECT 1 FROM memories WHERE id = ?').get(memory.id)) throw new AppError('conflict', `memory ${memory.id} exists`);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO memories (id, text, category, tags, source_kind, source_session_id, source_message_id, actor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(memory.id, memory.text, memory.category, JSON.stringify(memory.tags), memory.source.kind, memory.source.sessionId, memory.source.messageId, memory.source.actor, memory.createdAt, memory.updatedAt);
      this.deps.embeddings.embedInline('memories', [{ id: memory.id, text: memory.text, meta: { category: memory.category } }]);
    })();
    this.deps.embeddings.kick();
    const restored = this.get(memory.id);
    this.deps.events.emit('memory.changed', restored);
    return restored;
  }

  async search(query: string, category: string | undefined, limit: number): Promise<{ hits: MemoryHit[]; usedVectors: boolean }> {
    const queries = ftsQueries(query);
    const categoryFilter = category ? ' AND m.category = ?' : '';
    const words = this.db.prepare(
      `SELECT m.id, snippet(memories_fts, 0, ?, ?, '…', 24) AS snippet FROM memories_fts JOIN memories m ON m.id = memories_fts.rowid
       WHERE memories_fts MATCH ?${categoryFilter} ORDER BY rank LIMIT 30`,
    );
    const wordRows = queries ? ftsRanked(queries, (match) => words.all(MARK_START, MARK_END, match, ...(category ? [category] : [])) as { id: number; snippet: string }[], 30) : [];
    const vector = await this.deps.embeddings.embedQuery(query);
    const meaning = vector ? this.deps.embeddings.memories.search(vector, 30, category ? { sql: 'category = ?', params: [category] } : null) : [];
    const near = meaningful(meaning);
    // Every candidate read once: the relevance floor needs the texts, and so do the hits.
    const rows = this.db.prepare('SELECT * FROM memories WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify([...wordRows.map((r) => r.id), ...near])) as Row[];
    const byId = new Map(rows.map((r) => [r.id, toMemory(r)]));
    // Below a relevance floor nothing is shown: the built-in vectors count only with a shared word (or a typo of one).
    const kept = this.deps.embeddings.knowsMeaning ? near : near.filter((id) => sharesAWord(query, byId.get(id)?.text ?? ''));
    const fused = fuse(
      wordRows.map((r) => r.id),
      kept,
    ).slice(0, limit);
    const snippets = new Map(wordRows.map((r) => [r.id, r.snippet]));
    const hits = fused.flatMap((f) => {
      const memory = byId.get(f.id);
      return memory ? [{ memory, score: f.score, via: f.via, snippet: snippets.get(f.id) ?? plainSnippet(memory.text, query) }] : [];
    });
    return { hits, usedVectors: !!vector };
  }

  export(): { version: 1; exportedAt: number; memories: Memory[] } {
    return { version: 1, exportedAt: Date.now(), memories: (this.db.prepare('SELECT * FROM memories ORDER BY id').all() as Row[]).map(toMemory) };
  }

  /** Adds each entry as `add` would; an empty text is skipped and reported, so one blank line does not refuse a file. */
  async import(memories: NewMemory[]): Promise<MemoryImported> {
    let added = 0;
    let updated = 0;
    const skipped: MemoryImported['skipped'] = [];
    for (const [index, m] of memories.entries()) {
      if (!m.text.trim()) {
        skipped.push({ entry: index + 1, reason: 'its text is empty' });
        continue;
      }
      const result = await this.add({ text: m.text, category: m.category, tags: m.tags, source: m.source });
      if (result.action === 'added') added++;
      else updated++;
    }
    return { added, updated, skipped };
  }

  /** Earlier texts of a memory, newest first: what edits and merges replaced. */
  versions(id: number): MemoryVersion[] {
    this.get(id);
    const rows = this.db.prepare('SELECT text, category, tags, replaced_at FROM memory_versions WHERE memory_id = ? ORDER BY id DESC').all(id) as {
      text: string;
      category: string;
      tags: string;
      replaced_at: number;
    }[];
    return rows.map((r) => ({ text: r.text, category: r.category, tags: JSON.parse(r.tags) as string[], replacedAt: r.replaced_at }));
  }

  /**
   * A memory stating the same fact. Candidates come from shared words and from the nearest vectors
   * (within the similarity setting); the decision is `sameFact`'s, since vectors cannot tell
   * "Alice prefers tabs" from "Bob prefers tabs".
   */
  private async findDuplicate(text: string, except?: number): Promise<Memory | null> {
    const match = ftsQuery(text);
    const candidates = match ? (this.db.prepare('SELECT m.* FROM memories_fts JOIN memories m ON m.id = memories_fts.rowid WHERE memories_fts MATCH ? ORDER BY rank LIMIT 20').all(match) as Row[]) : [];
    const same = candidates.find((r) => r.id !== except && sameFact(r.text, text));
    if (same) return toMemory(same);
    const vector = await this.deps.embeddings.embedQuery(text);
    if (!vector) return null;
    const threshold = this.deps.settings.get('memory.duplicateSimilarity');
    for (const near of this.deps.embeddings.memories.search(vector, 5)) {
      if (1 - near.distance < threshold) break;
      const memory = this.get(near.id);
      if (memory.id !== except && sameFact(memory.text, text)) return memory;
    }
    return null;
  }
}

/** The memories waiting for their vectors, for the embedding service: memory owns the table, retrieval/ goes through this. */
export function memoryEmbeddingRows(storage: StorageService): EmbeddingRows {
  return {
    pending: (limit) =>
      (storage.db.prepare('SELECT id, text, category FROM memories WHERE vec_state = 0 ORDER BY id LIMIT ?').all(limit) as { id: number; text: string; category: string }[]).map((r) => ({
        id: r.id,
        text: r.text,
        meta: { category: r.category },
      })),
    countPending: () => storage.db.prepare('SELECT count(*) FROM memories WHERE vec_state = 0').pluck().get() as number,
    markEmbedded: (id, onlyPending, text) =>
      storage.db.prepare(`UPDATE memories SET vec_state = 1 WHERE id = ?${onlyPending ? ' AND vec_state = 0' : ''}${text === undefined ? '' : ' AND text = ?'}`).run(...(text === undefined ? [id] : [id, text])).changes > 0,
    markAllPending: () => void storage.db.prepare('UPDATE memories SET vec_state = 0 WHERE vec_state = 1').run(),
  };
}
