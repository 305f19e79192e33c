import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import { isRunning } from '../process-identity';
import { startHarness, type Harness } from '../testing/claude-harness';
import { checkUntil } from '../testing/wait';

// The real `claude` binary as the warm spare, against the stand-in API.
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const transcripts = (home: string): string[] =>
  fs.existsSync(path.join(home, '.claude', 'projects')) ? fs.readdirSync(path.join(home, '.claude', 'projects'), { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl')) : [];

/** Waits until a spare is parked and booted; returns its pid. */
const parkedSpare = (harness: Harness) => checkUntil(harness.core.sessions.spare.changes, () => harness.core.sessions.spare.ready && harness.core.sessions.spare.pid, 45_000, 'a warm spare');
const noSpare = (harness: Harness) => checkUntil(harness.core.sessions.spare.changes, () => harness.core.sessions.spare.pid === null, 20_000, 'the spare to be gone');
const startedSpare = (harness: Harness) => checkUntil(harness.core.sessions.spare.changes, () => harness.core.sessions.spare.pid, 20_000, 'a spare started');

async function exited(pid: number): Promise<void> {
  // The process was signalled; its exit is the OS's: look until it is gone (bounded).
  for (let i = 0; i < 100 && isRunning(pid, null); i++) await new Promise((r) => setTimeout(r, 50));
  expect(isRunning(pid, null)).toBe(false);
}

describe('the warm spare claude process', () => {
  it('is the process of the next new session, with ids no one saw before, and is refilled', async () => {
    h = await startHarness({ core: { warmSpare: true } });
    const { core, home, turnEnded } = h;
    const pid = await parkedSpare(h);
    // Parked: no session lists it, and the CLI has written no transcript for its id.
    expect(core.sessions.list()).toEqual([]);
    expect(transcripts(home)).toEqual([]);

    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'telegram' });
    const turn = core.sessions.send(session.id, 'hello', desktopCaller);
    expect(await turnEnded(turn.id)).toMatchObject({ status: 'done', resultText: 'echo: hello' });
    expect(core.sessions.get(session.id).pid).toBe(pid);
    expect(core.sessions.spare.stats.claimed).toBe(1);
    // The CLI's session is the one the user sees, in the session's own folder.
    expect(transcripts(home)).toEqual([expect.stringContaining(`${session.claudeSessionId}.jsonl`)]);
    expect(session.cwd).toBe(path.join(h.dir, 'data', 'sessions', session.id));

    // A new spare is started for the session after this one; its ids are nowhere to be seen.
    const next = await parkedSpare(h);
    expect(next).not.toBe(pid);
    expect(core.sessions.list().map((s) => s.id)).toEqual([session.id]);
    expect(transcripts(home)).toHaveLength(1);
    const second = core.sessions.create({ permissionPolicy: 'ask', surface: 'browser' });
    expect(await turnEnded(core.sessions.send(second.id, 'again', desktopCaller).id)).toMatchObject({ status: 'done' });
    expect(core.sessions.get(second.id).pid).toBe(next);
  });

  it('tries a CLI that cannot be started once, not again at every new session', async () => {
    h = await startHarness({ core: { warmSpare: true }, env: { SWITCHBOARD_CLAUDE: '/no-such-folder/claude' } });
    const { core, turnEnded } = h;
    await checkUntil(core.sessions.spare.changes, () => core.sessions.spare.stats.started === 1 && core.sessions.spare.pid === null, 20_000, 'the spare that could not start');
    for (const text of ['one', 'two', 'three']) {
      const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
      expect(await turnEnded(core.sessions.send(session.id, text, desktopCaller).id)).toMatchObject({ status: 'failed', error: expect.stringContaining('Claude CLI was not found') });
    }
    expect(core.sessions.spare.stats.started).toBe(1);
  });

  it('is not used by a session that starts differently, and a changed start discards it (cold start, same ids)', async () => {
    h = await startHarness({ core: { warmSpare: true } });
    const { core, turnEnded } = h;
    const pid = await parkedSpare(h);
    // Another model: the spare is not even reserved.
    const other = core.sessions.create({ permissionPolicy: 'ask', model: 'claude-other', surface: 'desktop' });
    expect(await turnEnded(core.sessions.send(other.id, 'hi', desktopCaller).id)).toMatchObject({ status: 'done' });
    expect(core.sessions.get(other.id).pid).not.toBe(pid);
    expect(core.sessions.spare.pid).toBe(pid);

    // A rule saved after the spare started changes the start: the session starts cold on the spare's ids.
    core.approvals.addRule('Bash(ls *)');
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    expect(await turnEnded(core.sessions.send(session.id, 'hello', desktopCaller).id)).toMatchObject({ status: 'done', resultText: 'echo: hello' });
    expect(core.sessions.get(session.id).pid).not.toBe(pid);
    expect(core.sessions.spare.stats.claimed).toBe(0);
    await exited(pid);
  });

  it('yields to a real session at the process limit, and is not kept below the free-memory minimum or past the idle time', async () => {
    let free = 100_000;
    h = await startHarness({ core: { warmSpare: true }, freeMemoryMb: () => free, settings: [{ key: 'sessions.maxProcesses', value: 2 }] });
    const { core, turnEnded } = h;
    const project = fs.mkdtempSync(path.join(h.dir, 'project-'));
    const a = core.sessions.create({ permissionPolicy: 'ask', cwd: project, surface: 'desktop' });
    const b = core.sessions.create({ permissionPolicy: 'ask', cwd: project, surface: 'desktop' });
    await turnEnded(core.sessions.send(a.id, 'one', desktopCaller).id);
    const spare = await parkedSpare(h);
    // A (idle) and the spare fill the limit of 2; B needs a place: the spare gives it, A keeps its process.
    const aPid = core.sessions.get(a.id).pid;
    expect(await turnEnded(core.sessions.send(b.id, 'two', desktopCaller).id)).toMatchObject({ status: 'done' });
    await exited(spare);
    expect(core.sessions.get(a.id).pid).toBe(aPid);
    expect(core.sessions.spare.pid).toBeNull();
    expect(core.sessions.liveProcesses()).toBe(2);

    // Room again (B stopped): a spare comes back; then memory runs short and it goes.
    await core.sessions.reset(b.id);
    const again = await parkedSpare(h);
    free = 100;
    await noSpare(h);
    await exited(again);
    free = 100_000;

    // The idle time stops it too.
    core.settings.set({ key: 'sessions.idleStopMinutes', value: 0.02 });
    core.sessions.spare.fill();
    const idle = await startedSpare(h);
    await noSpare(h);
    await exited(idle);
  });
});
