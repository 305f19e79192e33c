import type { IndexStatus } from '../../contract';
import { errorMessage } from '../errors';
import { DisposableStore, toDisposable } from '../disposable';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { SecretStore } from '../secrets/secret-store';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';
import { EmbedPool } from './embed-pool';
import { BuiltinEmbedder, OllamaEmbedder, OpenAiEmbedder, type EmbeddingProvider } from './embeddings';
import { MESSAGE_VECTOR_META, VectorIndex, type MetaColumn } from './vector-index';

const BATCH = 64;
export const OPENAI_KEY_SECRET = 'embeddings.openaiKey';

/** A row waiting for its vector: its text, and the metadata stored with the vector. */
export interface PendingRow {
  id: number;
  text: string;
  meta: Record<string, string | number | null>;
}

/**
 * The rows of one table that get vectors, kept by the table's owner (history's messages, memory's memories):
 * the embedding service reads and marks them through this, and writes only its own vector tables.
 */
export interface EmbeddingRows {
  /** Up to `limit` rows waiting for a vector, oldest first. */
  pending(limit: number): PendingRow[];
  /** How many rows wait for a vector. */
  countPending(): number;
  /**
   * The row has its vector now; with `onlyPending`, unless it no longer waits (false then: forgotten meanwhile), and with
   * `text`, unless its text is another now (false then: changed, or deleted and its id given to a new row, meanwhile).
   */
  markEmbedded(id: number, onlyPending: boolean, text?: string): boolean;
  /** Every row with a vector waits for a new one (a new provider). */
  markAllPending(): void;
}

/** Which rows of a table get a vector, and the index they go to. */
interface Source {
  index: VectorIndex;
  table: 'messages' | 'memories';
  rows: EmbeddingRows;
}

/** The memories' vector metadata. */
const MEMORY_VECTOR_META: MetaColumn[] = [{ name: 'category', type: 'text' }];

/**
 * Keeps vectors for messages and memories, from whichever provider the settings choose. New rows
 * are embedded in the background (or at once, inside the write, by the built-in provider); a row
 * whose embedding fails stays stored, marked pending, and is retried with backoff. A new provider
 * rebuilds the vector tables and re-embeds everything, reporting progress; words search meanwhile.
 */
export class EmbeddingService implements Service {
  readonly name = 'embeddings';
  private provider: EmbeddingProvider = new BuiltinEmbedder();
  private sources: Source[] = [];
  private ready = false;
  private draining = false;
  private timer: NodeJS.Timeout | null = null;
  /** The pending retry after a failure; a new provider cancels it (it belonged to the old one). */
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  /** Retries so far, counted over the last minute of failures, for tests and the health panel. */
  retries: { at: number; delayMs: number }[] = [];
  private lastError: string | null = null;
  private reindex: { total: number } | null = null;
  /** The subscriptions start() opens and stop() releases. */
  private subscriptions = new DisposableStore();

  private readonly pool: EmbedPool | null;

  constructor(
    private readonly deps: {
      storage: StorageService;
      events: EventBus;
      settings: SettingsService;
      secrets: SecretStore;
      /** The rows that get vectors, from the tables' owners (wired by the root). */
      rows: { messages: EmbeddingRows; memories: EmbeddingRows };
      /** The built worker script, when there is one (bundled builds); else the built-in provider embeds in-thread. */
      workerScript?: string | null;
    },
  ) {
    this.pool = deps.workerScript ? new EmbedPool(deps.workerScript) : null;
  }

  /** Whether the vectors stand for meaning (Ollama, an OpenAI endpoint) or only for spelling (built in). */
  get knowsMeaning(): boolean {
    return !(this.provider instanceof BuiltinEmbedder);
  }

  get messages(): VectorIndex {
    return this.sources[0]!.index;
  }

  get memories(): VectorIndex {
    return this.sources[1]!.index;
  }

  start(): void {
    const db = this.deps.storage.db;
    this.sources = [
      { index: new VectorIndex(db, 'messages', MESSAGE_VECTOR_META), table: 'messages', rows: this.deps.rows.messages },
      { index: new VectorIndex(db, 'memories', MEMORY_VECTOR_META), table: 'memories', rows: this.deps.rows.memories },
    ];
    this.subscriptions = new DisposableStore();
    this.subscriptions.add(toDisposable(this.deps.events.on('settings.changed', ({ key }) => key.startsWith('embeddings.') && this.switchTo(this.buildProvider()))));
    this.subscriptions.add(toDisposable(this.deps.events.on('sessions.stream', ({ item }) => item.kind === 'message' && this.kick())));
    this.switchTo(this.buildProvider());
  }

  stop(): void {
    this.pool?.stop();
    this.subscriptions.dispose();
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = null;
    this.retryTimer = null;
    this.ready = false;
  }

  status(): IndexStatus {
    const pending = this.pendingCount();
    return {
      provider: this.provider.id,
      dimensions: this.provider.dimensions,
      ready: this.ready,
      pending,
      reindexing: this.reindex ? { done: Math.max(0, this.reindex.total - pending), total: this.reindex.total } : null,
      error: this.lastError,
    };
  }

  /** A vector for a search query, or null when vectors cannot be had now (words still work). */
  async embedQuery(text: string): Promise<Float32Array | null> {
    if (!this.ready) return null;
    try {
      if (this.provider.embedSync) return this.provider.embedSync([text])[0]!;
      return (await this.provider.embed([text]))[0]!;
    } catch (error) {
      this.lastError = errorMessage(error);
      return null;
    }
  }

  /**
   * Vectors for the non-null texts, computed off the main thread when the built-in provider has its
   * worker, so the caller can write one batch while the next is embedded. Null: embedded later.
   */
  async embedAhead(texts: (string | null)[]): Promise<(Float32Array | null)[] | null> {
    if (!this.pool || !this.ready || !(this.provider instanceof BuiltinEmbedder)) return this.embedNow(texts);
    const wanted = texts.flatMap((t, i) => (t === null ? [] : [i]));
    try {
      const vectors = await this.pool.embed(wanted.map((i) => texts[i]!));
      const out: (Float32Array | null)[] = texts.map(() => null);
      wanted.forEach((index, k) => (out[index] = vectors[k]!));
      return out;
    } catch {
      return this.embedNow(texts);
    }
  }

  /** Vectors for the non-null texts, now, when the provider works synchronously; else null (embedded later). */
  embedNow(texts: (string | null)[]): (Float32Array | null)[] | null {
    if (!this.ready || !this.provider.embedSync) return null;
    const wanted = texts.flatMap((t, i) => (t === null ? [] : [i]));
    const vectors = this.provider.embedSync(wanted.map((i) => texts[i]!));
    const out: (Float32Array | null)[] = texts.map(() => null);
    wanted.forEach((index, k) => (out[index] = vectors[k]!));
    return out;
  }

  /**
   * Embeds rows inside the caller's transaction when the provider can do it synchronously.
   * `fresh` rows are new, so they have no vector to replace.
   */
  embedInline(table: 'messages' | 'memories', rows: { id: number; text: string; meta: Record<string, string | number | null> }[], fresh = false): boolean {
    const vectors = rows.length ? this.embedNow(rows.map((r) => r.text)) : null;
    if (!vectors) return false;
    const source = this.sources.find((s) => s.table === table)!;
    rows.forEach((row, i) => {
      source.index.insert(row.id, vectors[i]!, row.meta, !fresh);
      source.rows.markEmbedded(row.id, false);
    });
    return true;
  }

  /** The OpenAI-compatible endpoint's key, kept with the secrets (null removes it); the provider in use picks it up. */
  setKey(key: string | null): boolean {
    if (key) this.deps.secrets.set(OPENAI_KEY_SECRET, key);
    else this.deps.secrets.delete(OPENAI_KEY_SECRET);
    // The provider reads the key when it is built: rebuild it if it is the one in use.
    if (this.deps.settings.get('embeddings.provider') === 'openai') this.switchTo(this.buildProvider());
    return key !== null;
  }

  /** Embeds pending rows soon. */
  kick(delayMs = 20): void {
    if (this.timer || !this.ready) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delayMs);
    this.timer.unref();
  }

  private buildProvider(): EmbeddingProvider {
    const s = this.deps.settings;
    switch (s.get('embeddings.provider')) {
      case 'ollama':
        return new OllamaEmbedder(s.get('embeddings.ollamaUrl'), s.get('embeddings.ollamaModel'));
      case 'openai':
        return new OpenAiEmbedder(s.get('embeddings.openaiBaseUrl'), s.get('embeddings.openaiModel'), this.deps.secrets.get(OPENAI_KEY_SECRET));
      default:
        return new BuiltinEmbedder();
    }
  }

  /** A provider chosen in the settings: the old one's retries and errors end here, and backoff starts over. */
  private switchTo(provider: EmbeddingProvider): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.failures = 0;
    this.lastError = null;
    void this.useProvider(provider);
  }

  /** Uses a provider: learns its dimension, rebuilds the tables if it differs from the stored one. */
  private async useProvider(provider: EmbeddingProvider): Promise<void> {
    this.provider = provider;
    this.ready = false;
    this.emit();
    let dimensions = provider.dimensions;
    try {
      if (dimensions === null) dimensions = (await provider.embed(['dimension probe']))[0]!.length;
    } catch (error) {
      if (this.provider === provider) this.fail(error, () => void this.useProvider(provider));
      return;
    }
    if (this.provider !== provider) return;
    const db = this.deps.storage.db;
    let rebuilt = false;
    db.transaction(() => {
      for (const source of this.sources) {
        if (source.index.ensure(provider.id, dimensions)) {
          rebuilt = true;
          source.rows.markAllPending();
        }
      }
    })();
    this.lastError = null;
    this.failures = 0;
    this.ready = true;
    if (rebuilt) {
      const total = this.pendingCount();
      this.reindex = total ? { total } : null;
    }
    this.emit();
    this.kick(0);
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.ready) return;
    this.draining = true;
    const provider = this.provider;
    try {
      for (const source of this.sources) {
        for (;;) {
          if (this.provider !== provider || !this.ready) return;
          const rows = source.rows.pending(BATCH);
          if (!rows.length) break;
          const vectors = await provider.embed(rows.map((r) => r.text));
          if (this.provider !== provider) return;
          this.deps.storage.db.transaction(() => {
            rows.forEach((row, i) => {
              // The row may have been forgotten, changed, or deleted and its id given to another while we waited for the provider.
              if (source.rows.markEmbedded(row.id, true, row.text)) source.index.insert(row.id, vectors[i]!, row.meta);
            });
          })();
          this.emit();
        }
      }
      this.failures = 0;
      this.lastError = null;
      if (this.reindex) {
        this.reindex = null;
        this.emit();
      }
    } catch (error) {
      if (this.provider === provider) this.fail(error, () => this.kick(0));
    } finally {
      this.draining = false;
      // The provider changed while this drain waited on the old one: the new one's rows are next.
      if (this.provider !== provider && this.ready) this.kick(0);
    }
  }

  /** Keeps the text, says what failed, and tries again later (1 s, 2 s, … up to a minute), this provider only. */
  private fail(error: unknown, retry: () => void): void {
    this.lastError = errorMessage(error);
    const delay = Math.min(60_000, 1000 * 2 ** this.failures++);
    this.retries = [...this.retries.filter((r) => r.at > Date.now() - 60_000), { at: Date.now(), delayMs: delay }];
    log.warn(`embeddings (${this.provider.id}) failed, retrying in ${delay / 1000} s`, { error: this.lastError });
    this.emit();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const provider = this.provider;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.provider === provider) retry();
    }, delay);
    this.retryTimer.unref();
  }

  private pendingCount(): number {
    return this.deps.rows.messages.countPending() + this.deps.rows.memories.countPending();
  }

  private emit(): void {
    this.deps.events.emit('memory.indexStatus', this.status());
  }
}
