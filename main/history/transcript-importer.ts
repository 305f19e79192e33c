import fs from 'node:fs';
import path from 'node:path';
import type { ImportProgress, MessageKind, MessageRole } from '../../contract';
import { contentText } from '../claude/stream-parser';
import { errorMessage } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { EmbeddingService } from '../retrieval/embedding-service';
import { projectsDir } from '../claude/transcripts';
import type { HistoryService, IncomingMessage } from './history-service';
import type { SessionStore } from '../sessions/session-store';
import type { StorageService } from '../storage/storage-service';
import type { UsageEntry } from '../usage/usage-store';
import type { UsageService } from '../usage/usage-service';

export { projectsDir };

type ParsedMessage = Omit<IncomingMessage, 'surface'>;

interface ParsedChunk {
  sessionId: string | null;
  cwd: string | null;
  firstUserText: string | null;
  messages: ParsedMessage[];
  /** Every API answer's usage, subagents' (sidechain) included: usage counts each once by its message id. */
  usage: UsageEntry[];
  malformed: number;
  /** Bytes consumed: up to the last complete line. */
  consumed: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads complete lines of a transcript chunk: user and assistant lines kept, others skipped, bad ones counted. */
export function parseTranscript(buffer: Buffer): ParsedChunk {
  const end = buffer.lastIndexOf(0x0a) + 1;
  const chunk: ParsedChunk = { sessionId: null, cwd: null, firstUserText: null, messages: [], usage: [], malformed: 0, consumed: end };
  for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      chunk.malformed++;
      continue;
    }
    if (!isObject(o) || typeof o.type !== 'string') {
      chunk.malformed++;
      continue;
    }
    if (o.type !== 'user' && o.type !== 'assistant') continue;
    const usage = o.type === 'assistant' ? usageOf(o) : null;
    if (usage) chunk.usage.push(usage);
    if (o.isSidechain === true) continue;
    const message = isObject(o.message) ? o.message : null;
    if (!message || typeof o.uuid !== 'string') {
      chunk.malformed++;
      continue;
    }
    chunk.sessionId ??= typeof o.sessionId === 'string' ? o.sessionId : null;
    if (typeof o.cwd === 'string') chunk.cwd ??= o.cwd;
    const createdAt = typeof o.timestamp === 'string' && !Number.isNaN(Date.parse(o.timestamp)) ? Date.parse(o.timestamp) : Date.now();
    const blocks: unknown[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? message.content : [];
    blocks.forEach((block, index) => {
      if (!isObject(block)) return;
      const externalId = `${o.uuid as string}:${index}`;
      const base = { externalId, createdAt };
      if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
        const role: MessageRole = o.type === 'user' ? 'user' : 'assistant';
        if (role === 'user') chunk.firstUserText ??= block.text;
        chunk.messages.push({ ...base, role, kind: 'text', text: block.text, data: null });
      } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
        chunk.messages.push({ ...base, role: 'assistant', kind: 'thinking', text: block.thinking, data: null });
      } else if (block.type === 'tool_use') {
        chunk.messages.push({ ...base, role: 'assistant', kind: 'tool_use', text: String(block.name ?? ''), data: { id: block.id, name: block.name, input: block.input } });
      } else if (block.type === 'tool_result') {
        chunk.messages.push({ ...base, role: 'tool', kind: 'tool_result', text: contentText(block.content).slice(0, 200_000), data: { toolUseId: block.tool_use_id, isError: block.is_error === true } });
      }
    });
  }
  return chunk;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

/** The usage of an assistant line: its tokens, model and (older CLIs) cost, keyed by the answer it belongs to. */
function usageOf(o: Json): UsageEntry | null {
  const message = isObject(o.message) ? o.message : null;
  const u = message && isObject(message.usage) ? message.usage : null;
  if (!message || !u) return null;
  const tokens = { input: count(u.input_tokens), output: count(u.output_tokens), cacheWrite: count(u.cache_creation_input_tokens), cacheRead: count(u.cache_read_input_tokens) };
  if (!tokens.input && !tokens.output && !tokens.cacheWrite && !tokens.cacheRead) return null;
  const key = typeof message.id === 'string' ? message.id : typeof o.requestId === 'string' ? o.requestId : typeof o.uuid === 'string' ? o.uuid : null;
  if (!key) return null;
  const at = typeof o.timestamp === 'string' && !Number.isNaN(Date.parse(o.timestamp)) ? Date.parse(o.timestamp) : Date.now();
  return { key, at, model: typeof message.model === 'string' ? message.model : 'unknown', ...tokens, costUsd: typeof o.costUSD === 'number' ? o.costUSD : null };
}

/**
 * Bytes read and stored at a time: a transcript of hundreds of MB neither fills memory nor holds the
 * event loop for long. A single longer line is read whole.
 */
const CHUNK_BYTES = 128 * 1024;
/** How often transcripts are looked at for growth without file events, and with them (a safety net). */
const POLL_MS = 2000;
const WATCHED_POLL_MS = 30_000;

/** Reads from `offset` up to `bytes`, and on until a line ends (or the file does); off the event loop. */
async function readLines(file: fs.promises.FileHandle, offset: number, size: number, bytes: number): Promise<Buffer> {
  let length = Math.min(bytes, size - offset);
  for (;;) {
    const buffer = Buffer.alloc(length);
    const { bytesRead: read } = await file.read(buffer, 0, length, offset);
    // A short read: the file ended sooner than it said (it was cut meanwhile).
    if (read < length || buffer.lastIndexOf(0x0a, read - 1) >= 0 || offset + read >= size) return buffer.subarray(0, read);
    length = Math.min(length * 2, size - offset);
  }
}

/** The size of a file, or 0 when it is gone. */
async function sizeOf(file: string): Promise<number> {
  return (await fs.promises.stat(file).catch(() => null))?.size ?? 0;
}

interface ChunkResult {
  messages: number;
  malformed: number;
  bytes: number;
  more: boolean;
}

const EMPTY: Omit<ImportProgress, 'totals'> = { running: false, filesTotal: 0, filesDone: 0, bytesTotal: 0, bytesDone: 0, messages: 0, malformed: 0, error: null };

/**
 * Imports Claude Code transcripts from sessions Switchboard did not start (terminal, IDE, other
 * tools), incrementally by file offset and idempotently by line id, then follows them live.
 */
export class TranscriptImporter implements Service {
  readonly name = 'transcripts';
  private progress: Omit<ImportProgress, 'totals'> = { ...EMPTY };
  private watcher: fs.FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private running: Promise<ImportProgress> | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** The read under way per file, so reads of one file never overlap. */
  private readonly reading = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      storage: StorageService;
      events: EventBus;
      embeddings: EmbeddingService;
      history: HistoryService;
      /** Sessions are written through their store, like every other surface's. */
      store: SessionStore;
      /** Counts the usage the transcripts report (all of it: sessions Switchboard runs too). */
      usage?: Pick<UsageService, 'record'>;
      env: NodeJS.ProcessEnv;
      /** Tells every window a followed session changed, so the Sessions list shows it live. */
      announce: (sessionId: string) => void;
      /** Whether one of Switchboard's sessions is open in its own Terminal tab now: its lines come from that TUI, not from the app's process. */
      inTerminal?: (claudeSessionId: string) => boolean;
      /** Bytes per read (tests make it small). */
      chunkBytes?: number;
    },
  ) {}

  get dir(): string {
    return projectsDir(this.deps.env);
  }

  start(): void {
    this.stopped = false;
    this.startTimer = setTimeout(() => void this.importAll().finally(() => this.follow()), 0);
    this.startTimer.unref();
  }

  async stop(): Promise<void> {
    // Set first: an import still running must not start following once it ends, nor read another chunk.
    this.stopped = true;
    if (this.startTimer) clearTimeout(this.startTimer);
    this.watcher?.close();
    this.watcher = null;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    // The chunk being read ends before the storage closes after us.
    await Promise.allSettled([...this.reading.values()]);
  }

  /** Whether Claude Code elsewhere wrote this session's transcript within `ms`: it may still be running there. */
  activeElsewhere(claudeSessionId: string, ms = 60_000): boolean {
    const paths = this.deps.storage.db.prepare('SELECT path FROM transcript_files WHERE session_id = ?').pluck().all(claudeSessionId) as string[];
    return paths.some((file) => Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < ms);
  }

  /**
   * Reads what the CLI wrote of one session up to now (the session's own TUI just ended): its last
   * lines are stored before the app's process takes the session back, and are not taken for the app's.
   */
  async catchUp(claudeSessionId: string): Promise<void> {
    const root = this.dir;
    const folders = await fs.promises.readdir(root, { withFileTypes: true }).catch(() => []);
    for (const folder of folders.filter((f) => f.isDirectory())) {
      const file = path.join(root, folder.name, `${claudeSessionId}.jsonl`);
      if (!(await fs.promises.access(file).then(() => true, () => false))) continue;
      for (let more = true; more && !this.stopped; ) more = (await this.importFile(file, true)).more;
    }
  }

  status(): ImportProgress {
    const totals = this.deps.storage.db.prepare('SELECT count(*) AS files, coalesce(sum(malformed), 0) AS malformed FROM transcript_files').get() as ImportProgress['totals'];
    return { ...this.progress, totals };
  }

  /** Every transcript, from where each was left; safe to run any number of times. */
  importAll(): Promise<ImportProgress> {
    this.running ??= this.runAll().finally(() => (this.running = null));
    return this.running;
  }

  private async runAll(): Promise<ImportProgress> {
    const files = await this.transcriptFiles();
    const sizes = await Promise.all(files.map(sizeOf));
    // Stopped while listing (a short-lived core): the storage may be closed already.
    if (this.stopped) return { ...this.progress, totals: { files: 0, malformed: 0 } };
    this.progress = { ...EMPTY, running: true, filesTotal: files.length, bytesTotal: sizes.reduce((a, b) => a + b, 0) };
    this.emit();
    let lastEmit = Date.now();
    for (const [i, file] of files.entries()) {
      const bytesBefore = this.progress.bytesDone;
      try {
        for (let more = true; more && !this.stopped; ) {
          const result = await this.importFile(file, false);
          this.progress.messages += result.messages;
          this.progress.malformed += result.malformed;
          this.progress.bytesDone = Math.min(bytesBefore + sizes[i]!, this.progress.bytesDone + result.bytes);
          more = result.more;
          if (Date.now() - lastEmit > 100) {
            lastEmit = Date.now();
            this.emit();
          }
          // Between chunks the loop is free for everything else (a chunk is a few ms of work).
          await new Promise((r) => setImmediate(r));
        }
      } catch (error) {
        this.progress.error = `${file}: ${errorMessage(error)}`;
      }
      this.progress.filesDone = i + 1;
      this.progress.bytesDone = bytesBefore + sizes[i]!;
    }
    this.progress.running = false;
    this.emit();
    this.deps.embeddings.kick();
    return this.status();
  }

  /**
   * Reads the next chunk of what was appended since the last read; `more` when the file has more.
   * `live` announces each new message, for watchers.
   */
  importFile(file: string, live: boolean): Promise<ChunkResult> {
    // One read of a file at a time: the first import and the live follow would otherwise both start at one offset.
    const previous = this.reading.get(file) ?? Promise.resolve();
    const next = previous.then(() => this.readChunk(file, live));
    const settled = next.catch(() => {});
    this.reading.set(file, settled);
    void settled.then(() => this.reading.get(file) === settled && this.reading.delete(file));
    return next;
  }

  private async readChunk(file: string, live: boolean): Promise<ChunkResult> {
    const db = this.deps.storage.db;
    const known = db.prepare('SELECT offset, session_id FROM transcript_files WHERE path = ?').get(file) as { offset: number; session_id: string | null } | undefined;
    const size = await sizeOf(file);
    // A file that shrank was rewritten: read it again; line ids keep this idempotent.
    const offset = known && known.offset <= size ? known.offset : 0;
    if (size <= offset) return { messages: 0, malformed: 0, bytes: 0, more: false };
    const handle = await fs.promises.open(file, 'r');
    let buffer: Buffer;
    try {
      buffer = await readLines(handle, offset, size, this.deps.chunkBytes ?? CHUNK_BYTES);
    } finally {
      await handle.close();
    }
    // Stopped while reading: the database may be closing; the next start reads this chunk again.
    if (live && this.stopped) return { messages: 0, malformed: 0, bytes: 0, more: false };
    const chunk = parseTranscript(buffer);
    const claudeId = chunk.sessionId ?? known?.session_id ?? path.basename(file, '.jsonl');
    // Whose it is, asked once per chunk: a session Switchboard runs (its messages are stored already), else one from outside.
    const owner = this.deps.store.ownerOfClaudeSession(claudeId);
    // The session's own TUI writes turns the app's process never saw: those are stored, into that session.
    const terminal = !!owner?.ranHere && !!this.deps.inTerminal?.(claudeId);
    const ours = !!owner?.ranHere && !terminal;
    // A conversation the user deleted stays deleted; what it spent still counts.
    const forgotten = !owner && this.forgotten(claudeId);
    let added: number[] = [];
    let sessionId: string | null = null;
    db.transaction(() => {
      if (!ours && !forgotten && chunk.messages.length) {
        const title = (chunk.firstUserText ?? 'Claude Code session').split('\n')[0]!.slice(0, 60);
        sessionId = terminal ? owner!.id : this.deps.store.externalSession(claudeId, { title, cwd: chunk.cwd ?? '', createdAt: chunk.messages[0]?.createdAt ?? Date.now() });
        added = this.deps.history.ingest(sessionId, chunk.messages.map((m) => ({ ...m, surface: 'external' })));
      }
      if (chunk.usage.length && this.deps.usage) {
        this.deps.usage.record(chunk.usage, {
          sessionId: sessionId ?? owner?.id ?? null,
          surface: owner?.surface ?? 'external',
          project: chunk.cwd ?? owner?.cwd ?? '',
          ours,
        });
      }
      db.prepare(
        `INSERT INTO transcript_files (path, session_id, offset, size, malformed, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET session_id = excluded.session_id, offset = excluded.offset, size = excluded.size, malformed = malformed + excluded.malformed, updated_at = excluded.updated_at`,
      ).run(file, claudeId, offset + chunk.consumed, size, chunk.malformed, Date.now());
    })();
    // A file followed live changes the totals the Chats footer shows.
    if (live && (offset === 0 || chunk.malformed) && !this.progress.running) this.emit();
    if (live && sessionId && added.length) {
      this.deps.announce(sessionId);
      const messages = db.prepare(`SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(added)) as Record<string, unknown>[];
      for (const m of messages) {
        this.deps.events.emit('sessions.stream', {
          sessionId,
          turnId: null,
          item: {
            kind: 'message',
            message: {
              id: m.id as number,
              sessionId,
              turnId: null,
              role: m.role as MessageRole,
              kind: m.kind as MessageKind,
              text: m.text as string,
              data: m.data ? JSON.parse(m.data as string) : null,
              surface: 'external',
              createdAt: m.created_at as number,
            },
          },
        });
      }
    }
    // Nothing consumed: the last line is still being written.
    return { messages: added.length, malformed: chunk.malformed, bytes: chunk.consumed, more: chunk.consumed > 0 && offset + chunk.consumed < size };
  }

  /** The user deleted the conversations of these Claude sessions: their transcripts are not imported again. */
  forget(claudeSessionIds: string[]): void {
    const insert = this.deps.storage.db.prepare('INSERT OR IGNORE INTO forgotten_transcripts (claude_session_id, forgotten_at) VALUES (?, ?)');
    for (const id of claudeSessionIds) insert.run(id, Date.now());
  }

  private forgotten(claudeSessionId: string): boolean {
    return !!this.deps.storage.db.prepare('SELECT 1 FROM forgotten_transcripts WHERE claude_session_id = ?').get(claudeSessionId);
  }

  private async transcriptFiles(): Promise<string[]> {
    const names = (await fs.promises.readdir(this.dir, { recursive: true, encoding: 'utf8' }).catch(() => [])) as string[];
    return names
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => path.join(this.dir, f))
      .sort();
  }

  /** Live follow: file events where the platform gives them, and a poll as a safety net. */
  private follow(): void {
    if (this.stopped || this.poll) return;
    const watch = () => {
      if (this.watcher || this.stopped || !fs.existsSync(this.dir)) return;
      try {
        this.watcher = fs.watch(this.dir, { recursive: true }, (_event, name) => {
          if (name && String(name).endsWith('.jsonl')) this.markDirty(path.join(this.dir, String(name)));
        });
        this.watcher.on('error', () => {
          this.watcher?.close();
          this.watcher = null;
        });
      } catch {
        this.watcher = null;
      }
    };
    watch();
    let polling = false;
    let polledAt = Date.now();
    this.poll = setInterval(() => {
      // Thousands of transcripts are stat'ed off the event loop; a slow poll is never doubled. With
      // file events it is only a safety net: every 2 s it cost an idle app 2.5% of a core at 2,000.
      if (polling || (this.watcher && Date.now() - polledAt < WATCHED_POLL_MS)) return;
      polling = true;
      polledAt = Date.now();
      void this.pollSizes(watch).finally(() => (polling = false));
    }, POLL_MS);
    this.poll.unref();
  }

  private async pollSizes(watch: () => void): Promise<void> {
    watch();
    const known = new Map(
      (this.deps.storage.db.prepare('SELECT path, size FROM transcript_files').all() as { path: string; size: number }[]).map((r) => [r.path, r.size]),
    );
    const files = await this.transcriptFiles();
    const sizes = await Promise.all(files.map(sizeOf));
    files.forEach((file, i) => {
      if (!this.stopped && known.get(file) !== sizes[i]) this.markDirty(file);
    });
  }

  private markDirty(file: string): void {
    this.dirty.add(file);
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = setTimeout(() => void this.flush(), 50);
    this.flushTimer.unref();
  }

  private async flush(): Promise<void> {
    const files = [...this.dirty];
    this.dirty.clear();
    for (const file of files) {
      try {
        // One chunk per file and flush: a big append is read over several, the app answering meanwhile.
        if ((await this.importFile(file, true)).more) this.dirty.add(file);
      } catch (error) {
        // A file removed between the event and the read is no error.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`could not read ${file}: ${errorMessage(error)}`);
      }
    }
    this.deps.embeddings.kick();
    this.flushTimer = null;
    if (this.dirty.size && !this.stopped) {
      this.flushTimer = setTimeout(() => void this.flush(), 0);
      this.flushTimer.unref();
    }
  }

  private emit(): void {
    this.deps.events.emit('history.importProgress', this.status());
  }
}
