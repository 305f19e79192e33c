import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * One owner per table (issue 24): every SQL statement in main/ names only tables its own module owns; another
 * service goes through the owner (a function or interface the root hands it). The migrations create them all
 * and are left out; so are tests and test support.
 */

const root = path.resolve(__dirname, '..');

/** Each table's owner: a file, or a folder (ending in /) where a service keeps its SQL in several files. */
const owners: Record<string, string[]> = {
  settings: ['main/settings/settings-service.ts'],
  sessions: ['main/sessions/session-store.ts'],
  turns: ['main/sessions/session-store.ts'],
  // History's: what was said, its words, the transcripts it follows.
  messages: ['main/history/history-service.ts', 'main/history/search-query.ts', 'main/history/transcript-importer.ts'],
  messages_fts: ['main/history/history-service.ts', 'main/history/search-query.ts', 'main/history/transcript-importer.ts'],
  transcript_files: ['main/history/transcript-importer.ts'],
  forgotten_transcripts: ['main/history/transcript-importer.ts'],
  approvals: ['main/approvals/approval-broker.ts'],
  approval_rules: ['main/approvals/approval-broker.ts'],
  jobs: ['main/scheduler/job-store.ts'],
  job_runs: ['main/scheduler/job-store.ts'],
  active_runs: ['main/scheduler/job-store.ts'],
  scheduler_state: ['main/scheduler/job-store.ts'],
  memories: ['main/memory/memory-service.ts'],
  memories_fts: ['main/memory/memory-service.ts'],
  memory_versions: ['main/memory/memory-service.ts'],
  // The vector tables themselves (<table>_vec, <table>_embeddings) are named at run time by the same module.
  vector_index: ['main/retrieval/vector-index.ts'],
  // The chat bridge's tables: issue 24's part A puts them behind one store inside this folder.
  chat_users: ['main/surfaces/chat/'],
  chat_pairings: ['main/surfaces/chat/'],
  chat_bindings: ['main/surfaces/chat/'],
  chat_channels: ['main/surfaces/chat/'],
  chat_cards: ['main/surfaces/chat/'],
  chat_replies: ['main/surfaces/chat/'],
  chat_outbox: ['main/surfaces/chat/'],
  inbox_items: ['main/inbox/inbox-store.ts'],
  push_subscriptions: ['main/push/push-service.ts'],
  task_replies: ['main/tasks/task-replies.ts'],
  session_worktrees: ['main/worktrees/worktree-store.ts'],
  session_checkpoints: ['main/worktrees/worktree-store.ts'],
  usage_events: ['main/usage/usage-store.ts', 'main/usage/usage-service.ts'],
  usage_daily: ['main/usage/usage-store.ts', 'main/usage/usage-service.ts'],
  usage_hourly: ['main/usage/usage-store.ts', 'main/usage/usage-service.ts'],
  usage_state: ['main/usage/usage-service.ts'],
};

/**
 * Strangers known and kept for now, each with its reason. `reads`: only SELECT statements (a join), never a write.
 * The test fails when one is no longer needed, so the list only shrinks.
 */
const exceptions: { file: string; table: string; reads?: true; why: string }[] = [
  // The one message writer (issue 28) sits in storage because the session store (live turns) and history (the
  // importer) both write through it, and sessions may not import history; it is history's table all the same.
  { file: 'main/storage/message-store.ts', table: 'messages', why: 'the one writer of messages, shared by sessions and history' },
  { file: 'main/storage/message-store.ts', table: 'messages_fts', why: 'the one writer of messages, shared by sessions and history' },
  // Issue 28 makes one `MessageStore.insert(batch)` in history for the live stream and the importer alike; until
  // then the session store inserts a turn's messages as they stream (with its own word indexing) and reads them back.
  { file: 'main/sessions/session-store.ts', table: 'messages', why: 'issue 28: the second inserter of messages' },
  // History's search filters hits by their session's surface and folder, and labels them, in one statement that
  // also runs in the search worker on its own connection (no session store there).
  { file: 'main/history/search-query.ts', table: 'sessions', reads: true, why: 'the search joins sessions (worker connection)' },
  // main/worktrees/ is issue 25's: its sweep of worktrees whose session is gone joins sessions.
  { file: 'main/worktrees/worktree-store.ts', table: 'sessions', reads: true, why: 'kept worktrees are those whose session is gone: a read-only join' },
];

/** Words that follow FROM/JOIN/INTO but are no table of ours. */
const notTables = new Set(['json_each', 'sqlite_master', 'pragma_table_info']);

// SQL here is written with its keywords in capitals, which keeps prose ("With worktree: …") out.
const SQL_START = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE|CREATE|DROP|ALTER|FROM|JOIN|LEFT JOIN)\b/;
const SQL_SHAPE = /\b(FROM|INTO|SET|TABLE|JOIN|VALUES)\b/;
const TABLE = /(?<!\bDO\s)\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+(?!IF\b)([a-zA-Z_][a-zA-Z0-9_]*)/g;

interface Statement {
  file: string;
  sql: string;
  tables: string[];
}

function productionFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return ['main/testing', 'main/storage/migrations'].includes(rel) ? [] : productionFiles(rel);
    return rel.endsWith('.ts') && !rel.endsWith('.test.ts') ? [rel] : [];
  });
}

/** Every string or template in the file that reads as SQL, with the tables it names (a `${…}` part names none). */
export function statementsIn(file: string, text: string): Statement[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Statement[] = [];
  const visit = (node: ts.Node): void => {
    let sql: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) sql = node.text;
    else if (ts.isTemplateExpression(node)) sql = node.head.text + node.templateSpans.map((span) => ` ? ${span.literal.text}`).join('');
    if (sql !== null && SQL_START.test(sql) && SQL_SHAPE.test(sql)) {
      const tables = [...new Set([...sql.matchAll(TABLE)].map((m) => m[1]!.toLowerCase()).filter((t) => !notTables.has(t)))];
      if (tables.length) found.push({ file, sql: sql.replace(/\s+/g, ' ').trim(), tables });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const owns = (owner: string, file: string) => (owner.endsWith('/') ? file.startsWith(owner) : file === owner);
const isRead = (sql: string) => /^\s*(SELECT|WITH|FROM|JOIN|LEFT JOIN)\b/.test(sql) && !/\b(INSERT|UPDATE|DELETE|REPLACE)\b/.test(sql);

describe('one owner per table', () => {
  const statements = productionFiles('main').flatMap((file) => statementsIn(file, fs.readFileSync(path.join(root, file), 'utf8')));

  it('finds the statements (the scan itself works)', () => {
    expect(statements.length).toBeGreaterThan(100);
    expect(statements.some((s) => s.file === 'main/sessions/session-store.ts' && s.tables.includes('sessions'))).toBe(true);
    // A join fragment and a template with a part both count.
    expect(statementsIn('x.ts', "const j = ' JOIN sessions s ON s.id = m.session_id';").map((s) => s.tables)).toEqual([['sessions']]);
    expect(statementsIn('x.ts', 'const q = `UPDATE jobs SET ${keys} WHERE id = ?`;').map((s) => s.tables)).toEqual([['jobs']]);
    expect(statementsIn('x.ts', "const q = 'INSERT INTO a (k) VALUES (?) ON CONFLICT DO UPDATE SET k = 1';").map((s) => s.tables)).toEqual([['a']]);
  });

  it('names every table the migrations create', () => {
    const migrations = fs.readdirSync(path.join(root, 'main/storage/migrations')).map((f) => fs.readFileSync(path.join(root, 'main/storage/migrations', f), 'utf8'));
    const created = new Set(migrations.flatMap((sql) => [...sql.matchAll(/CREATE (?:VIRTUAL )?TABLE (?:IF NOT EXISTS )?([a-z_]+)/gi)].map((m) => m[1]!)));
    // job_runs_next was a step of a rebuild (renamed to job_runs in the same migration).
    created.delete('job_runs_next');
    expect([...created].filter((t) => !owners[t]).sort()).toEqual([]);
  });

  it('every statement names only tables its module owns', () => {
    const strangers = statements.flatMap((s) =>
      s.tables
        .filter((table) => !(owners[table] ?? []).some((owner) => owns(owner, s.file)))
        .filter((table) => !exceptions.some((e) => e.file === s.file && e.table === table && (!e.reads || isRead(s.sql))))
        .map((table) => `${s.file}: ${table} (owned by ${owners[table]?.join(', ') ?? 'no one: add it to the map'}) in "${s.sql.slice(0, 120)}"`),
    );
    expect(strangers).toEqual([]);
  });

  it('every exception is still needed', () => {
    const stale = exceptions.filter((e) => !statements.some((s) => s.file === e.file && s.tables.includes(e.table)));
    expect(stale).toEqual([]);
  });

  it('each table has one owning service (its files in one folder)', () => {
    const split = Object.entries(owners).filter(([, files]) => new Set(files.map((f) => path.dirname(f.endsWith('/') ? `${f}x` : f))).size > 1);
    expect(split).toEqual([]);
  });
});
