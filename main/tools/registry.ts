import * as z from 'zod';
import { changesLine, jobInputSchema, jobPatchSchema, MARK_END, MARK_START, mergeStrategies, permissionPolicies, surfaces, type MethodInput, type MethodName, type MethodOutput } from '../../contract';

/** A contract call as the tool's caller (an MCP client, a session): validated by the router, in the caller's name. */
export type ContractCall = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>>;

/** What a tool is to a model: hints about what calling it does. */
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
}

/**
 * One entry of the tool registry: a contract method (or a few), with a name and a description written
 * for a model, the input it fills in, the structured output it gets back, and hints. The MCP server
 * builds its tools from this table; chat commands act on the same methods.
 */
export interface Tool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** The contract method behind it (the main one, when it takes a few). */
  method: MethodName;
  description: string;
  input: I;
  output: O;
  hints: ToolHints;
  run(call: ContractCall, input: z.output<I>): Promise<z.input<O>>;
}

/** Unknown arguments are refused, not ignored: a misspelt field must not silently fall back to a default. */
function tool<I extends z.ZodObject, O extends z.ZodObject>(spec: Tool<I, O>): Tool {
  return { ...spec, input: spec.input.strict() } as unknown as Tool;
}

const id = z.string().min(1).max(100);
const limit = (fallback: number, max: number) => z.number().int().min(1).max(max).default(fallback).describe(`How many at most (default ${fallback}, up to ${max}).`);
/** Lists are cut small for a model's context; a cut list says how to narrow it. */
const more = z.string().nullable().describe('When the list was cut: how to see the rest or narrow it.');
const cut = (shown: number, total: number, how: string) => (shown < total ? `${total - shown} more not shown: ${how}.` : null);
const clip = (text: string | null, max: number) => (text && text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text);

const sessionOut = z.object({ id: z.string(), title: z.string(), surface: z.string(), status: z.string(), cwd: z.string(), model: z.string().nullable(), costUsd: z.number(), updatedAt: z.number() });
const turnOut = z.object({ sessionId: z.string(), turnId: z.string(), status: z.string(), text: z.string().nullable(), error: z.string().nullable(), costUsd: z.number().nullable(), denials: z.array(z.string()), timedOut: z.boolean() });
const memoryOut = z.object({ id: z.number(), text: z.string(), category: z.string(), tags: z.array(z.string()), updatedAt: z.number() });
const jobOut = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  cron: z.string(),
  timeZone: z.string(),
  enabled: z.boolean(),
  /** A job that runs code, made or changed from here, waits for the owner: it does not run until they allow it. */
  waitingForApproval: z.boolean(),
  nextRun: z.number().nullable(),
  recent: z.array(z.string()),
});
const runOut = z.object({ id: z.string(), status: z.string(), trigger: z.string(), startedAt: z.number().nullable(), endedAt: z.number().nullable(), result: z.string().nullable(), costUsd: z.number().nullable() });

const toSession = (s: MethodOutput<'sessions.create'>) => ({ id: s.id, title: s.title, surface: s.surface, status: s.status, cwd: s.cwd, model: s.model, costUsd: s.costUsd, updatedAt: s.updatedAt });
const toMemory = (m: MethodOutput<'memory.update'>) => ({ id: m.id, text: m.text, category: m.category, tags: m.tags, updatedAt: m.updatedAt });
const toJob = (j: MethodOutput<'schedules.list'>[number]) => ({
  id: j.id,
  name: j.name,
  kind: j.kind,
  cron: j.cron,
  timeZone: j.timeZone,
  enabled: j.enabled,
  waitingForApproval: j.approval !== null,
  nextRun: j.nextRun,
  recent: j.recent,
});
const toRun = (r: MethodOutput<'schedules.runNow'>) => ({ id: r.id, status: r.status, trigger: r.trigger, startedAt: r.startedAt, endedAt: r.endedAt, result: clip(r.resultText ?? r.stdoutTail ?? r.reason, 4000), costUsd: r.costUsd });
const toTurn = (sessionId: string, t: MethodOutput<'sessions.turn'>, text: string | null, timedOut: boolean) => ({
  sessionId,
  turnId: t.id,
  status: t.status,
  text: clip(text, 20_000),
  error: t.error,
  costUsd: t.costUsd,
  denials: t.denials,
  timedOut,
});

/** Every tool Switchboard offers Claude Code and other MCP clients. */
export const tools: Tool[] = [
  // ── sessions ──
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
      title: z.string().trim().min(1).max(200).optional(),
      cwd: z.string().max(4096).optional().describe('An absolute project folder (or ~/…).'),
      model: z.string().max(200).optional(),
      permissionPolicy: z.enum(permissionPolicies).extract(['ask', 'plan']).default('ask'),
      worktree: z.boolean().optional().describe('Work in a git worktree of its own (cwd must be in a repository), on a branch switchboard/<title>, so its changes can be reviewed, merged or discarded.'),
      base_branch: z.string().max(250).optional().describe('With worktree: the branch to start from and merge into (default: the repository’s current branch).'),
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
    input: z.object({ session_id: id, text: z.string().trim().min(1).max(100_000), timeout_seconds: z.number().int().min(1).max(600).default(120) }),
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
    input: z.object({ text: z.string().trim().min(1).max(100_000), session_id: id.optional(), cwd: z.string().max(4096).optional(), title: z.string().trim().min(1).max(200).optional() }),
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

  // ── schedules ──
  tool({
    name: 'set_next_prompt',
    title: "Set this job's next prompt",
    method: 'schedules.setNextPrompt',
    description:
      "Only inside a scheduled job's own Claude session, while its run is going: leave the instructions for the job's next run (what to pick up, what to check). The next run's prompt template gets them as next_prompt; the user sees and can edit them in the run history. Calling again replaces the text.",
    input: z.object({ text: z.string().trim().min(1).max(20_000).describe('The instructions for the next run, written to your future self.') }),
    output: z.object({ jobId: z.string(), runId: z.string() }),
    hints: { idempotentHint: true },
    async run(call, { text }) {
      return call('schedules.setNextPrompt', { text });
    },
  }),
  tool({
    name: 'list_jobs',
    title: 'List scheduled jobs',
    method: 'schedules.list',
    description: 'Scheduled jobs (shell commands and Claude prompts on cron, each in its time zone) with their next run and latest results.',
    input: z.object({ limit: limit(20, 200) }),
    output: z.object({ jobs: z.array(jobOut), more }),
    hints: { readOnlyHint: true },
    async run(call, { limit }) {
      const jobs = await call('schedules.list', {});
      return { jobs: jobs.slice(0, limit).map(toJob), more: cut(limit, jobs.length, 'raise limit') };
    },
  }),
  tool({
    name: 'create_job',
    title: 'Create a scheduled job',
    method: 'schedules.create',
    description:
      'Schedule a shell command (`kind: "shell"`) or a Claude prompt (`kind: "claude"`) on a cron expression (5 fields, or 6 with seconds) in an IANA time zone. Set delivery.telegramChatId to "owner" to get results on Telegram, delivery.discordChannelId to a bound channel id (or "owner" for direct messages) to get them on Discord. A shell job, a Claude job in acceptEdits mode, or a job firing more than once a minute, made here waits for the user’s approval in Switchboard (waitingForApproval) and runs only once they allow it; if they deny it or do not answer, it is deleted. bypass is refused.',
    input: jobInputSchema,
    output: jobOut.extend({ warnings: z.array(z.string()) }),
    hints: {},
    async run(call, input) {
      const job = await call('schedules.create', input);
      return { ...toJob(job), warnings: job.warnings };
    },
  }),
  tool({
    name: 'update_job',
    title: 'Change a scheduled job',
    method: 'schedules.update',
    description: "Change a job: only the fields given change (its schedule, command, enabled…). Changing what a shell or acceptEdits job runs (command, cwd, env, kind, permissionPolicy) makes it wait for the user's approval again.",
    input: z.object({ job_id: id }).extend(jobPatchSchema.shape),
    output: jobOut.extend({ warnings: z.array(z.string()) }),
    hints: { idempotentHint: true },
    async run(call, { job_id, ...fields }) {
      const job = await call('schedules.update', { id: job_id, ...fields });
      return { ...toJob(job), warnings: job.warnings };
    },
  }),
  tool({
    name: 'delete_job',
    title: 'Delete a scheduled job',
    method: 'schedules.delete',
    description: 'Delete a job and its run history.',
    input: z.object({ job_id: id }),
    output: z.object({ deleted: z.boolean() }),
    hints: { destructiveHint: true, idempotentHint: true },
    async run(call, { job_id }) {
      return call('schedules.delete', { id: job_id });
    },
  }),
  tool({
    name: 'run_job',
    title: 'Run a job now',
    method: 'schedules.runNow',
    description: "Run a scheduled job now (its overlap policy applies). Returns the run; see job_history for its result. A job waiting for the user's approval does not run.",
    input: z.object({ job_id: id }),
    output: runOut,
    hints: {},
    async run(call, { job_id }) {
      return toRun(await call('schedules.runNow', { id: job_id }));
    },
  }),
  tool({
    name: 'job_history',
    title: 'A job’s runs',
    method: 'schedules.runs',
    description: 'The runs of a job, newest first: status, what triggered it, output or Claude’s answer.',
    input: z.object({ job_id: id, limit: limit(10, 200) }),
    output: z.object({ runs: z.array(runOut) }),
    hints: { readOnlyHint: true },
    async run(call, { job_id, limit }) {
      return { runs: (await call('schedules.runs', { id: job_id, limit })).map(toRun) };
    },
  }),

  // ── memory ──
  tool({
    name: 'remember',
    title: 'Remember',
    method: 'memory.add',
    description: 'Keep a fact for later sessions (a preference, a decision, a name). The same fact said again updates the memory instead of adding a second.',
    input: z.object({ text: z.string().trim().min(1).max(20_000), category: z.string().trim().min(1).max(100).default('general'), tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]) }),
    output: z.object({ memory: memoryOut, action: z.enum(['added', 'updated']), replaced: z.string().nullable() }),
    hints: {},
    async run(call, input) {
      const added = await call('memory.add', { ...input, source: { kind: 'tool' } });
      return { memory: toMemory(added.memory), action: added.action, replaced: added.replaced?.text ?? null };
    },
  }),
  tool({
    name: 'recall',
    title: 'Recall',
    method: 'memory.search',
    description: 'Find what was remembered, by words and by meaning, best first.',
    input: z.object({ query: z.string().trim().min(1).max(2000), category: z.string().max(100).optional(), limit: limit(5, 50) }),
    output: z.object({ memories: z.array(memoryOut.extend({ score: z.number() })) }),
    hints: { readOnlyHint: true },
    async run(call, input) {
      const { hits } = await call('memory.search', input);
      return { memories: hits.map((h) => ({ ...toMemory(h.memory), score: h.score })) };
    },
  }),
  tool({
    name: 'update_memory',
    title: 'Correct a memory',
    method: 'memory.update',
    description: 'Correct a memory by id: its text, category or tags. The old text is kept as an earlier version.',
    input: z
      .object({ id: z.number().int(), text: z.string().trim().min(1).max(20_000).optional(), category: z.string().trim().min(1).max(100).optional(), tags: z.array(z.string().trim().min(1).max(100)).max(50).optional() })
      .refine((x) => x.text !== undefined || x.category !== undefined || x.tags !== undefined, { message: 'nothing to change: give text, category or tags' }),
    output: memoryOut,
    hints: { idempotentHint: true },
    async run(call, input) {
      return toMemory(await call('memory.update', input));
    },
  }),
  tool({
    name: 'forget',
    title: 'Forget',
    method: 'memory.delete',
    description: 'Forget a memory by id: its text, word index and vector.',
    input: z.object({ id: z.number().int() }),
    output: z.object({ forgotten: memoryOut }),
    hints: { destructiveHint: true },
    async run(call, { id }) {
      return { forgotten: toMemory((await call('memory.delete', { id })).deleted) };
    },
  }),
  tool({
    name: 'list_memories',
    title: 'List memories',
    method: 'memory.list',
    description: 'What is remembered, newest first, by category when given; `offset` pages on.',
    input: z.object({ category: z.string().max(100).optional(), limit: limit(20, 200), offset: z.number().int().min(0).default(0) }),
    output: z.object({ memories: z.array(memoryOut), total: z.number(), categories: z.array(z.object({ name: z.string(), count: z.number() })), more }),
    hints: { readOnlyHint: true },
    async run(call, input) {
      const listed = await call('memory.list', input);
      return { memories: listed.memories.map(toMemory), total: listed.total, categories: listed.categories, more: cut(input.offset + listed.memories.length, listed.total, `call again with offset ${input.offset + listed.memories.length}, or narrow by category`) };
    },
  }),

  // ── history ──
  tool({
    name: 'list_conversations',
    title: 'List conversations',
    method: 'history.conversations',
    description: 'Every conversation Switchboard knows (its sessions, Telegram and Discord chats, Claude Code sessions from outside), newest first. Narrow with `query` (title words), `surface` or `cwd`.',
    input: z.object({ query: z.string().max(200).optional(), surface: z.enum(surfaces).optional(), cwd: z.string().max(4096).optional(), limit: limit(20, 200) }),
    output: z.object({ conversations: z.array(z.object({ id: z.string(), title: z.string(), surface: z.string(), cwd: z.string(), messageCount: z.number(), updatedAt: z.number() })), more }),
    hints: { readOnlyHint: true },
    async run(call, { query, surface, cwd, limit }) {
      const words = query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
      const all = (await call('history.conversations', {})).filter((c) => (!surface || c.surface === surface) && (!cwd || c.cwd === cwd) && words.every((w) => c.title.toLowerCase().includes(w)));
      return {
        conversations: all.slice(0, limit).map((c) => ({ id: c.id, title: c.title, surface: c.surface, cwd: c.cwd, messageCount: c.messageCount, updatedAt: c.updatedAt })),
        more: cut(limit, all.length, 'raise limit, or narrow with query, surface or cwd'),
      };
    },
  }),
  tool({
    name: 'read_conversation',
    title: 'Read a conversation',
    method: 'history.messages',
    description: 'A page of a conversation’s messages, oldest first; long texts are clipped. `next` is the `after` for the next page.',
    input: z.object({ conversation_id: id, after: z.number().int().min(0).default(0), limit: limit(50, 500) }),
    output: z.object({
      messages: z.array(z.object({ id: z.number(), role: z.string(), kind: z.string(), text: z.string(), createdAt: z.number() })),
      next: z.number().nullable(),
    }),
    hints: { readOnlyHint: true },
    async run(call, { conversation_id, after, limit }) {
      const page = await call('history.messages', { sessionId: conversation_id, after, limit });
      return { messages: page.messages.map((m) => ({ id: m.id, role: m.role, kind: m.kind, text: clip(m.text, 4000)!, createdAt: m.createdAt })), next: page.next };
    },
  }),
  tool({
    name: 'search_history',
    title: 'Search history',
    method: 'history.search',
    description: 'Search every conversation by words and by meaning; each hit names its conversation and message (read around it with read_conversation).',
    input: z.object({ query: z.string().trim().min(1).max(2000), surface: z.enum(surfaces).optional(), cwd: z.string().max(4096).optional(), limit: limit(10, 100) }),
    output: z.object({ hits: z.array(z.object({ conversationId: z.string(), title: z.string(), messageId: z.number(), role: z.string(), snippet: z.string(), createdAt: z.number() })) }),
    hints: { readOnlyHint: true },
    async run(call, { query, surface, cwd, limit }) {
      const { hits } = await call('history.search', { query, limit, filters: { ...(surface ? { surface: [surface] } : {}), ...(cwd ? { cwd } : {}) } });
      return {
        hits: hits.map((h) => ({ conversationId: h.sessionId, title: h.sessionTitle, messageId: h.messageId, role: h.role, snippet: h.snippet.replaceAll(MARK_START, '').replaceAll(MARK_END, ''), createdAt: h.createdAt })),
      };
    },
  }),

  // ── the user ──
  tool({
    name: 'notify_user',
    title: 'Notify the user',
    method: 'user.notify',
    description: 'Tell the user something now: a desktop notification and a message in their chat with each connected bot, Telegram and Discord (with a file, when `file_path` is given).',
    input: z.object({ text: z.string().trim().min(1).max(4000), title: z.string().trim().min(1).max(200).optional(), file_path: z.string().max(4096).optional().describe('An absolute path of a regular file to send along, at most 50 MB; never one in Switchboard\'s data folder or Claude Code\'s credentials.') }),
    output: z.object({ delivered: z.array(z.string()).describe('The surfaces that took the note (desktop, telegram, discord); empty when none could.') }),
    hints: {},
    async run(call, { text, title, file_path }) {
      return call('user.notify', { text, ...(title ? { title } : {}), ...(file_path ? { filePath: file_path } : {}) });
    },
  }),
  tool({
    name: 'inbox',
    title: 'Read the inbox',
    method: 'inbox.list',
    description:
      "What the user was told or is asked, newest first: questions waiting for them, Claude Code sessions stopped for a reply, notes (notify_user), finished long turns, job results and failures, usage alerts. Use it to know what the user has already been told before telling them again. `filter`: open (not yet settled or put away, the default), needs_you (waits for their answer), unread, or all.",
    input: z.object({ filter: z.enum(['open', 'needs_you', 'unread', 'all']).default('open'), limit: limit(20, 100) }),
    output: z.object({
      items: z.array(
        z.object({
          id: z.number(),
          kind: z.string(),
          title: z.string(),
          text: z.string(),
          state: z.string().describe('open, settled (answered or over elsewhere), or dismissed'),
          read: z.boolean(),
          outcome: z.string().nullable(),
          sessionId: z.string().nullable(),
          createdAt: z.number(),
        }),
      ),
      needsYou: z.number().describe('Open items waiting for the user.'),
      unread: z.number(),
      more,
    }),
    hints: { readOnlyHint: true },
    async run(call, { filter, limit }) {
      const page = await call('inbox.list', { filter, limit });
      const items = page.items.map((i) => ({ id: i.id, kind: i.kind, title: i.title, text: clip(i.text, 500) ?? '', state: i.state, read: i.read, outcome: i.outcome, sessionId: i.sessionId, createdAt: i.createdAt }));
      return { items, needsYou: page.counts.needsYou, unread: page.counts.unread, more: page.next ? 'More older items: raise limit.' : null };
    },
  }),
  tool({
    name: 'ask_user',
    title: 'Ask the user',
    method: 'user.ask',
    description: 'Ask the user a question and wait for the answer (in the Switchboard window, and on Telegram and Discord where connected). Give `choices` for buttons; without them they type an answer. Null when nobody answered within `timeout_seconds`.',
    input: z.object({ question: z.string().trim().min(1).max(2000), choices: z.array(z.string().trim().min(1).max(100)).max(10).default([]), timeout_seconds: z.number().int().min(5).max(3600).default(300) }),
    output: z.object({ answer: z.string().nullable(), timedOut: z.boolean(), answeredBy: z.string().nullable(), via: z.string().nullable() }),
    // Not read-only: it puts a question in front of the user, on their desktop and phone.
    hints: {},
    async run(call, { question, choices, timeout_seconds }) {
      return call('user.ask', { question, choices, timeoutSeconds: timeout_seconds });
    },
  }),

  // ── system ──
  tool({
    name: 'health',
    title: 'Switchboard health',
    method: 'system.health',
    description: 'Whether Switchboard and its services run, the Claude CLI it found, and the database’s state.',
    input: z.object({}),
    output: z.object({ version: z.string(), services: z.array(z.object({ name: z.string(), state: z.string() })), claude: z.string().nullable() }),
    hints: { readOnlyHint: true },
    async run(call) {
      const health = await call('system.health', {});
      return { version: health.app.version, services: health.services.map((s) => ({ name: s.name, state: s.state })), claude: health.claude.version ?? health.claude.error ?? null };
    },
  }),
  tool({
    name: 'usage',
    title: 'What Claude cost and how full the plan windows are',
    method: 'usage.summary',
    description:
      "What Claude cost and used on this machine (Switchboard's sessions and Claude Code sessions from outside it, each API answer counted once): totals for the last N days, today, this week and month, by surface and model, the costliest sessions, the 5-hour and weekly plan windows (the plan's own figure where the CLI reported it, else an estimate) and budgets.",
    input: z.object({ days: z.number().int().min(1).max(366).default(7).describe('How many days back, today included') }),
    output: z.object({
      totalUsd: z.number(),
      tokens: z.object({ input: z.number(), output: z.number(), cacheWrite: z.number(), cacheRead: z.number() }),
      todayUsd: z.number(),
      weekUsd: z.number(),
      monthUsd: z.number(),
      bySurface: z.record(z.string(), z.number()),
      byModel: z.record(z.string(), z.number()),
      topSessions: z.array(z.object({ id: z.string(), title: z.string(), costUsd: z.number() })),
      windows: z.array(z.object({ kind: z.string(), source: z.string(), percent: z.number().nullable(), resetsAt: z.string().nullable() })),
      budgets: z.array(z.object({ scope: z.string(), capUsd: z.number(), spentUsd: z.number() })),
    }),
    hints: { readOnlyHint: true },
    async run(call, { days }) {
      const u = await call('usage.summary', { days });
      const sums = (groups: { key: string; costUsd: number }[]) => Object.fromEntries(groups.map((g) => [g.key, Math.round(g.costUsd * 10_000) / 10_000]));
      return {
        totalUsd: u.totals.costUsd,
        tokens: { input: u.totals.input, output: u.totals.output, cacheWrite: u.totals.cacheWrite, cacheRead: u.totals.cacheRead },
        todayUsd: u.today.costUsd,
        weekUsd: u.week.costUsd,
        monthUsd: u.month.costUsd,
        bySurface: sums(u.bySurface),
        byModel: sums(u.byModel),
        topSessions: u.bySession.slice(0, 5).map((x) => ({ id: x.key, title: x.label, costUsd: x.costUsd })),
        windows: [u.windows.fiveHour, u.windows.week].map((w) => ({ kind: w.kind, source: w.source, percent: w.percent === null ? null : Math.round(w.percent), resetsAt: w.resetsAt ? new Date(w.resetsAt).toISOString() : null })),
        budgets: u.budgets,
      };
    },
  }),
];
