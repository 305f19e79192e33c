import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, Memory, MethodName, SessionSummary } from '../contract';
import { desktopCaller } from './ipc/router';
import { startHarness, type Harness } from './testing/claude-harness';

// Every update method changes what it was given and nothing else: a partial input must not fall back
// to the create schema's defaults (renaming a job once reset its zone, env, tags and retries).
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function call<T>(method: MethodName, input: unknown): Promise<T> {
  const result = await h!.core.router.call(method, input, desktopCaller);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.value as T;
}

const fullJob = {
  name: 'nightly',
  kind: 'shell',
  cron: '0 3 * * *',
  timeZone: 'Europe/Paris',
  enabled: false,
  command: 'echo hi',
  env: { GREETING: 'hello' },
  timeoutSeconds: 120,
  tags: ['ops'],
  overlap: 'queue',
  missed: 'once',
  missedLimit: 7,
  graceSeconds: 30,
  retries: 3,
  retryDelaySeconds: 15,
  delivery: { desktop: false, chats: [{ surface: 'telegram', target: 'owner' }] },
} as const;

/** What a job is, without what changes on every save. */
const settled = ({ updatedAt: _u, nextRun: _n, recent: _r, warnings: _w, ...job }: Job & { warnings?: string[] }) => job;

describe('update methods leave what they were not given', () => {
  it('schedules.update changes only the name', async () => {
    h = await startHarness();
    const job = await call<Job>('schedules.create', fullJob);
    const renamed = await call<Job>('schedules.update', { id: job.id, name: 'nightly report' });
    expect(settled(renamed)).toEqual({ ...settled(job), name: 'nightly report' });
  });

  it('schedules.update of one delivery target keeps the others', async () => {
    h = await startHarness();
    const job = await call<Job>('schedules.create', fullJob);
    const changed = await call<Job>('schedules.update', { id: job.id, delivery: { desktop: true } });
    expect(changed.delivery).toEqual({ ...job.delivery, desktop: true });
    expect(changed.delivery.chats).toEqual([{ surface: 'telegram', target: 'owner' }]);
    expect(settled(changed)).toEqual({ ...settled(job), delivery: changed.delivery });
  });

  it('MCP update_job changes only the fields given', async () => {
    h = await startHarness({ core: { server: SERVER } });
    // A Claude job that asks (no code runs unasked): an MCP change to a shell job waits for the owner instead.
    const job = await call<Job>('schedules.create', { ...fullJob, kind: 'claude', command: 'summarize the night' });
    const { token } = await call<{ token: string }>('system.rotateToken', { scope: 'mcp' });
    const client = new Client({ name: 'update-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${h.core.server!.address!.port}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
    );
    try {
      const answer = await client.callTool({ name: 'update_job', arguments: { job_id: job.id, cron: '0 4 * * *' } });
      expect(answer.isError, JSON.stringify(answer.content)).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(settled(h.core.scheduler.get(job.id))).toEqual({ ...settled(job), cron: '0 4 * * *' });
  });

  it('sessions.update changes only the title', async () => {
    h = await startHarness();
    const session = await call<SessionSummary>('sessions.create', { title: 'first', model: 'opus', permissionPolicy: 'acceptEdits', systemPrompt: 'be brief' });
    const renamed = await call<SessionSummary>('sessions.update', { id: session.id, title: 'second' });
    expect(renamed).toMatchObject({ title: 'second', model: 'opus', permissionPolicy: 'acceptEdits', systemPrompt: 'be brief' });
  });

  it('memory.update changes only the category', async () => {
    h = await startHarness();
    const { memory } = await call<{ memory: Memory }>('memory.add', { text: 'The deploy key lives in the vault', category: 'ops', tags: ['deploy', 'keys'] });
    const changed = await call<Memory>('memory.update', { id: memory.id, category: 'security' });
    expect(changed).toMatchObject({ text: memory.text, category: 'security', tags: ['deploy', 'keys'] });
  });

  it('settings.set changes one setting and no other', async () => {
    h = await startHarness();
    await call('settings.set', { key: 'sessions.maxProcesses', value: 2 });
    const before = await call<Record<string, unknown>>('settings.list', {});
    await call('settings.set', { key: 'sessions.idleStopMinutes', value: 5 });
    const after = await call<Record<string, unknown>>('settings.list', {});
    expect(after).toEqual({ ...before, 'sessions.idleStopMinutes': 5 });
  });
});

describe('only the owner loosens a session', () => {
  it('refuses acceptEdits or bypass asked by MCP or a chat, and leaves the session as it was', async () => {
    h = await startHarness();
    const mcp = { surface: 'mcp' as const, actor: 'mcp:inspector' };
    const created = await h.core.router.call('sessions.create', { title: 'from mcp', permissionPolicy: 'acceptEdits' }, mcp);
    expect(!created.ok && created.error.message).toMatch(/only you, in Switchboard's window, can let a session work without asking/);
    expect(h.core.sessions.list()).toEqual([]);
    const session = await call<SessionSummary>('sessions.create', { title: 'mine' });
    const loosened = await h.core.router.call('sessions.update', { id: session.id, permissionPolicy: 'bypass' }, { surface: 'telegram', actor: 'telegram:42' });
    expect(loosened).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(h.core.sessions.get(session.id).permissionPolicy).toBe('ask');
    // Stricter is fine from anywhere; looser from the window.
    expect((await h.core.router.call('sessions.update', { id: session.id, permissionPolicy: 'plan' }, mcp)).ok).toBe(true);
    expect((await call<SessionSummary>('sessions.update', { id: session.id, permissionPolicy: 'acceptEdits' })).permissionPolicy).toBe('acceptEdits');
  });
});

describe('what a job runs is the owner’s, whoever asks to change or run it', () => {
  it('asks the owner again when a loose job’s prompt, switch or schedule is changed over MCP, and refuses to run it now from there', async () => {
    h = await startHarness();
    const mcp = { surface: 'mcp' as const, actor: 'mcp:attacker' };
    const shell = await call<Job>('schedules.create', { ...fullJob, name: 'backup', enabled: false });
    // Enabled every minute from MCP: that is running code, so it waits for the owner.
    const changed = await h.core.router.call('schedules.update', { id: shell.id, enabled: true, cron: '* * * * *' }, mcp);
    expect(changed).toMatchObject({ ok: true, value: { approval: { requestedBy: expect.any(String) } } });
    // Run now, off its schedule: refused from MCP and chats, allowed from the window once approved.
    const run = await h.core.router.call('schedules.runNow', { id: shell.id }, { surface: 'telegram', actor: 'telegram:42' });
    expect(run.ok).toBe(false);
    const asked = await call<Job>('schedules.create', { name: 'asks', kind: 'claude', cron: '0 3 * * *', command: 'summarize' });
    // A Claude job that asks, chained to the shell job: as much code as the shell job itself.
    const chained = await h.core.router.call('schedules.update', { id: asked.id, steps: [{ kind: 'job', jobId: shell.id, when: 'always' }] }, mcp);
    expect(chained).toMatchObject({ ok: true, value: { approval: { requestedBy: expect.any(String) } } });
  });

  it('saves an Always rule only from the window', async () => {
    h = await startHarness();
    const refused = await h.core.router.call('approvals.answer', { id: 'any', decision: 'always', rule: 'Bash' }, { surface: 'telegram', actor: 'telegram:42' });
    expect(!refused.ok && refused.error.message).toMatch(/only you, in Switchboard's window, can save an Always rule/);
    expect(h.core.approvals.rules()).toEqual([]);
  });
});
