import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { processState } from '../process-identity';
import { claudeEnv, startHarness, type Harness } from '../testing/claude-harness';
import { FakeAnthropic } from '../testing/fake-anthropic';
import { ClaudeLedger } from './claude-ledger';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';

const ROOT = path.resolve(import.meta.dirname, '../..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Live (not zombie) processes whose argv names this Claude session: what runs it now. */
function processesOn(claudeSessionId: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(claudeSessionId) && processState(Number(name)) !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

const running = (pid: number) => !['Z', null].includes(processState(pid));

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* gone, or not a group */
    }
  }
}

describe('Claude processes after Switchboard is killed', () => {
  it('kill -9 of the server mid-turn: the next start ends the turn’s claude (and a TUI’s), and one process runs the session', async () => {
    const api = new FakeAnthropic();
    await api.start();
    const dir = makeTempDir('switchboard-crash-');
    cleanups.push(async () => {
      await api.stop();
      removeTempDir(dir);
    });
    const home = path.join(dir, 'home');
    fs.mkdirSync(home, { recursive: true });
    const data = path.join(dir, 'data');
    const env = claudeEnv(api.url, home);
    // Past the TUI's first-run screens, whose network check (api.anthropic.com, unreachable here) would end it.
    fs.mkdirSync(env.CLAUDE_CONFIG_DIR!, { recursive: true });
    fs.writeFileSync(path.join(env.CLAUDE_CONFIG_DIR!, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, theme: 'dark' }));
    // The turn's request is held open: Claude is mid-turn when its Switchboard dies.
    api.reply({ kind: 'hang', text: 'Working on it' });

    // A real second process holding the core: a session mid-turn, another open in a `claude` terminal.
    const script = path.join(dir, 'crashing-switchboard.mts');
    fs.writeFileSync(
      script,
      `import { testCore } from ${JSON.stringify(path.join(ROOT, 'main/testing/temp-core.ts'))};
       const core = testCore(${JSON.stringify(data)}, { env: ${JSON.stringify(env)}, freeMemoryMb: () => 100000 });
       await core.start();
       const caller = { surface: 'desktop', actor: 'desktop' };
       const tui = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
       let screen = '';
       core.events.on('terminals.output', (o) => (screen += o.data));
       core.events.on('terminals.changed', (t) => t.exit && console.error('the TUI exited: ' + JSON.stringify(t.exit) + ' ' + JSON.stringify(screen.slice(-1500))));
       const terminal = await core.terminals.open({ command: 'claude', sessionId: tui.id, cols: 100, rows: 30 });
       // The TUI is up and drawing before the app's turn starts.
       while (screen.length < 200) await new Promise((r) => setTimeout(r, 20));
       const app = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
       core.sessions.send(app.id, 'a long job', caller);
       while (!core.sessions.get(app.id).pid) await new Promise((r) => setTimeout(r, 20));
       console.log(JSON.stringify({ app: core.sessions.get(app.id), tui: core.sessions.get(tui.id), tuiPid: terminal.pid }));`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = await new Promise<{ app: { id: string; claudeSessionId: string; pid: number }; tui: { id: string; claudeSessionId: string }; tuiPid: number }>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the crashing Switchboard exited early (${code}): ${stderr.slice(-2000)}`)));
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
    });
    cleanups.push(() => {
      killGroup(started.app.pid);
      killGroup(started.tuiPid);
    });
    await expect.poll(() => api.mainRequests().length, { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => fs.readFileSync(`/proc/${started.tuiPid}/cmdline`, 'utf8').includes(started.tui.claudeSessionId), { timeout: 10_000 })
      .toBe(true)
      .catch((error: Error) => {
        throw new Error(`the TUI is not running: ${error.message}\n${stderr}`);
      });

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // Without its Switchboard, the turn's claude goes on (the stream it waits for is still open).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(running(started.app.pid)).toBe(true);
    expect(processesOn(started.app.claudeSessionId)).toEqual([started.app.pid]);
    // So does the TUI: its terminal's other end is gone, and it waits on.
    expect(running(started.tuiPid)).toBe(true);

    const next: Core = testCore(data, { env, freeMemoryMb: () => 100_000 });
    await next.start();
    cleanups.push(() => next.stop());
    // Ended by the start itself, before any message could resume the session beside it.
    expect(running(started.app.pid)).toBe(false);
    expect(running(started.tuiPid)).toBe(false);
    expect(processesOn(started.tui.claudeSessionId)).toEqual([]);
    expect(next.sessions.transcript(started.app.id, 10).turns).toMatchObject([{ status: 'failed' }]);

    // The next message resumes the session in one process, and only one.
    api.reply({ kind: 'text', text: 'Back again' });
    const turn = next.sessions.send(started.app.id, 'where were we?', desktopCaller);
    await expect.poll(() => next.sessions.turn(turn.id).status, { timeout: 45_000 }).toBe('done');
    const resumed = next.sessions.get(started.app.id).pid!;
    expect(resumed).not.toBe(started.app.pid);
    expect(processesOn(started.app.claudeSessionId)).toEqual([resumed]);
    expect(fs.readFileSync(`/proc/${resumed}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--resume', started.app.claudeSessionId]));
  }, 90_000);
});

describe('one process per Claude session while running', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('a message sent while the idle process is still exiting waits for it to be gone', async () => {
    h = await startHarness({ settings: [{ key: 'sessions.idleStopMinutes', value: 0.01 }] });
    const { core, turnEnded } = h;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'one', desktopCaller).id);
    const first = core.sessions.get(session.id).pid!;
    // The idle stop has begun (the process is no longer the session's) while it is still exiting.
    await expect.poll(() => core.sessions.get(session.id).pid, { timeout: 5000, interval: 2 }).toBeNull();
    expect(running(first)).toBe(true);
    const overlaps: number[][] = [];
    const off = core.events.on('sessions.changed', (s) => {
      if (s.id === session.id && s.pid) overlaps.push(processesOn(session.claudeSessionId));
    });
    const turn = await turnEnded(core.sessions.send(session.id, 'two', desktopCaller).id);
    off();
    expect(turn.status).toBe('done');
    expect(overlaps.length).toBeGreaterThan(0);
    for (const seen of overlaps) expect(seen).not.toContain(first);
  });
});

describe('ClaudeLedger', () => {
  it('never kills a process that only has the pid of one it started (a pid reused after the crash)', async () => {
    const dir = makeTempDir();
    cleanups.push(() => removeTempDir(dir));
    // Another program, leading its own group, with the pid the ledger names but not its start time.
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    cleanups.push(() => killGroup(other.pid!));
    const file = path.join(dir, 'claude-processes.json');
    fs.writeFileSync(file, JSON.stringify([{ pgid: other.pid, started: Date.now() - 3_600_000, claudeSessionId: 'c', sessionId: 's', kind: 'app' }]));
    expect(new ClaudeLedger(file).endLeftovers()).toEqual([]);
    expect(running(other.pid!)).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
  });
});
