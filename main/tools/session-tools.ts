import * as z from 'zod';
import { changesLine, mergeStrategies, permissionPolicies, surfaces } from '../../contract';
import { field } from './fields';
import { tool, id, limit, more, cut, sessionOut, turnOut, toSession, toTurn, type Tool } from './tool';

/** The session tools: list, create, ask, background tasks, and reviewing a session's worktree. */
export const sessionTools: Tool[] = [
  tool({
    name: 'list_sessions',
    title: 'List sessions',
    method: 'sessions.list',
    description: "Switchboard's Claude sessions (desktop, Telegram, Discord, scheduled, Claude Code sessions from outside), newest first. Narrow with `query` (words of the title) or `surface`.",
    input: z.object({ query: z.string().max(200).optional().describe('Words the title contains.'), surface: z.enum(surfaces).optional(), limit: limit(10, 100) }),
    output: z.object({ sessions: z.array(sessionOut), more }),
    hints: { readOnlyHint: true },
    async run(call, { query, surface, limit }) {
      const words = query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
      const all = (await call('sessions.list', {})).filter((s) => (!surface || s.surface === surface) && words.every((w) => s.title.toLowerCase().includes(w)));
      return { sessions: all.slice(0, limit).map(toSession), more: cut(limit, all.length, 'raise limit, or narrow with query or surface') };
    },
  }),
  tool({
    name: 'create_session',
    title: 'Create a session',
    method: 'sessions.create',
    description: 'Start a new Claude session in Switchboard (a folder of its own unless `cwd` is given). Every tool use is asked of the user (ask), or Claude only plans (plan); a mode that acts without asking can be set only by the user, in Switchboard.',
    input: z.object({
      title: field('sessions.create', 'title'),
      cwd: field('sessions.create', 'cwd').describe('An absolute project folder (or ~/…).'),
      model: field('sessions.create', 'model'),
      permissionPolicy: z.enum(permissionPolicies).extract(['ask', 'plan']).default('ask'),
      worktree: field('sessions.create', 'worktree').describe('Work in a git worktree of its own (cwd must be in a repository), on a branch switchboard/<title>, so its changes can be reviewed, merged or discarded.'),
      base_branch: field('sessions.create', 'baseBranch').describe('With worktree: the branch to start from and merge into (default: the repository’s current branch).'),
    }),
    output: sessionOut,
    hints: {},
    async run(call, { base_branch, ...input }) {
      return toSession(await call('sessions.create', { ...input, ...(base_branch !== undefined ? { baseBranch: base_branch } : {}) }));
    },
  }),
  tool({
    name: 'ask_session',
    title: 'Ask a session and wait',
    method: 'sessions.ask',
    description:
      'Send a message to a Switchboard session and wait for Claude’s answer (text, status, cost, denied tools). Past `timeout_seconds` the answer says timedOut and the turn goes on: read it later with get_task. For long work use start_task.',
    input: z.object({ session_id: field('sessions.ask', 'id'), text: field('sessions.ask', 'text'), timeout_seconds: z.number().int().min(1).max(600).default(120) }),
    output: turnOut,
    hints: {},
    async run(call, input) {
      const asked = await call('sessions.ask', { id: input.session_id, text: input.text, timeoutMs: input.timeout_seconds * 1000 });
      return toTurn(asked.sessionId, asked.turn, asked.text, asked.timedOut);
    },
  }),
  tool({
    name: 'start_task',
    title: 'Start a task',
    method: 'tasks.start',
    description:
      'Hand work to Switchboard without waiting: in a new session with its own folder for files (in `cwd`, when given), or in `session_id`. Returns the turn id; check it with get_task, which lists the files the task made.',
    input: z.object({ text: field('tasks.start', 'prompt'), session_id: id.optional(), cwd: field('tasks.start', 'cwd'), title: field('tasks.start', 'title') }),
    output: z.object({ sessionId: z.string(), turnId: z.string(), status: z.string(), position: z.number().nullable() }),
    hints: {},
    async run(call, input) {
      if (!input.session_id) {
        const task = await call('tasks.start', { prompt: input.text, ...(input.title ? { title: input.title } : {}), ...(input.cwd ? { cwd: input.cwd } : {}) });
        return { sessionId: task.id, turnId: task.turnId, status: task.status, position: task.position };
      }
      const turn = await call('sessions.send', { id: input.session_id, text: input.text });
      return { sessionId: input.session_id, turnId: turn.id, status: turn.status, position: turn.position };
    },
  }),
  tool({
    name: 'get_task',
    title: 'Get a task',
    method: 'sessions.turn',
    description: 'Where a task (a turn started with start_task or ask_session) stands: queued, running, done or failed, with its answer once done, and the files a background task left in its folder.',
    input: z.object({ turn_id: id }),
    output: turnOut.extend({ files: z.array(z.object({ name: z.string(), size: z.number(), path: z.string() })) }),
    hints: { readOnlyHint: true },
    async run(call, { turn_id }) {
      const turn = await call('sessions.turn', { turnId: turn_id });
      // A background task's first turn has its files; any other turn, none.
      const task = await call('tasks.get', { id: turn.sessionId }).catch(() => null);
      const files = task && task.turnId === turn.id && task.outputDir ? task.attachments.map((a) => ({ ...a, path: `${task.outputDir}/${a.name}` })) : [];
      return { ...toTurn(turn.sessionId, turn, turn.resultText, false), files };
    },
  }),
  tool({
    name: 'stop_session',
    title: 'Stop a session’s turn',
    method: 'sessions.interrupt',
    description: 'Interrupt what a Switchboard session is doing now. Its queue and history stay.',
    input: z.object({ session_id: id }),
    output: z.object({ interrupted: z.boolean() }),
    hints: { idempotentHint: true },
    async run(call, { session_id }) {
      return call('sessions.interrupt', { id: session_id });
    },
  }),
  tool({
    name: 'reset_session',
    title: 'Reset a session',
    method: 'sessions.reset',
    description: 'Give a session a fresh Claude conversation (a new Claude session id). The old transcript stays in history.',
    input: z.object({ session_id: id }),
    output: sessionOut,
    hints: { destructiveHint: true },
    async run(call, { session_id }) {
      return toSession(await call('sessions.reset', { id: session_id }));
    },
  }),

  // ── work review (sessions in worktrees of their own) ──
  tool({
    name: 'session_changes',
    title: 'What a session changed',
    method: 'sessions.changes',
    description: "The files a Switchboard session in its own git worktree changed (status, lines added and deleted), against its base branch or for one turn. Read the lines with session_diff.",
    input: z.object({ session_id: id, turn: z.number().int().min(1).optional().describe('One turn (its number); the whole session when left out.'), limit: limit(100, 1000) }),
    output: z.object({
      base_branch: z.string(),
      branch: z.string(),
      summary: z.string(),
      files: z.array(z.object({ path: z.string(), status: z.string(), additions: z.number(), deletions: z.number(), binary: z.boolean(), renamed_from: z.string().nullable() })),
      turns: z.array(z.number()),
      problem: z.string().nullable(),
      more,
    }),
    hints: { readOnlyHint: true },
    async run(call, { session_id, turn, limit }) {
      const c = await call('sessions.changes', { id: session_id, limit, ...(turn !== undefined ? { turn } : {}) });
      return {
        base_branch: c.baseBranch,
        branch: c.branch,
        summary: changesLine(c),
        files: c.files.map((f) => ({ path: f.path, status: f.status, additions: f.additions, deletions: f.deletions, binary: f.binary, renamed_from: f.renamedFrom })),
        turns: c.turns,
        problem: c.problem,
        more: cut(c.files.length, c.totalFiles, 'raise limit, or read one file with session_diff'),
      };
    },
  }),
  tool({
    name: 'session_diff',
    title: 'A session’s diff',
    method: 'sessions.diff',
    description: 'The unified diff of what a Switchboard session in its own worktree changed: the whole session, one turn, or one file; long diffs come in pages of lines.',
    input: z.object({
      session_id: id,
      path: z.string().max(4096).optional().describe('One file, relative to the worktree.'),
      turn: z.number().int().min(1).optional(),
      offset: z.number().int().min(0).default(0).describe('The first line to return (from next_offset of the previous page).'),
      lines: z.number().int().min(1).max(5000).default(800).describe('Lines per page (default 800).'),
    }),
    output: z.object({ diff: z.string(), next_offset: z.number().nullable() }),
    hints: { readOnlyHint: true },
    async run(call, { session_id, path, turn, offset, lines }) {
      const d = await call('sessions.diff', { id: session_id, offset, limit: lines, ...(path !== undefined ? { path } : {}), ...(turn !== undefined ? { turn } : {}) });
      return { diff: d.text, next_offset: d.nextOffset };
    },
  }),
  tool({
    name: 'merge_session',
    title: 'Merge a session’s work',
    method: 'sessions.merge',
    description: "Merge a Switchboard session's worktree branch into its base branch (merge commit, squash, or rebase). The user is asked first and must allow it; conflicts come back file by file with nothing changed.",
    input: z.object({ session_id: id, strategy: z.enum(mergeStrategies).default('squash') }),
    output: z.object({ merged: z.boolean(), commit: z.string().nullable(), conflicts: z.array(z.object({ path: z.string(), reason: z.string() })), message: z.string() }),
    hints: { destructiveHint: true },
    async run(call, { session_id, strategy }) {
      const r = await call('sessions.merge', { id: session_id, strategy });
      return { merged: r.merged, commit: r.commit, conflicts: r.conflicts, message: r.message };
    },
  }),
  tool({
    name: 'discard_session',
    title: 'Discard a session’s work',
    method: 'sessions.discard',
    description: "Throw away everything a Switchboard session changed in its worktree (its branch back at the base). The user is asked first and must allow it.",
    input: z.object({ session_id: id }),
    output: z.object({ discarded: z.boolean(), message: z.string() }),
    hints: { destructiveHint: true },
    async run(call, { session_id }) {
      return call('sessions.discard', { id: session_id });
    },
  }),
];
