import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jobInputSchema, type JobInput, type JobRun } from '../../contract';
import { lastUserText, userTexts } from '../testing/fake-anthropic';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { testCore, makeTempDir, removeTempDir } from '../testing/temp-core';
import { desktopCaller } from '../ipc/router';
import { SchedulerService } from './scheduler-service';

let h: Harness | null = null;
const extra: { stop: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((c) => c.stop()));
  await h?.close();
  h = null;
});

const job = (input: Partial<JobInput> & Pick<JobInput, 'name' | 'command'>): JobInput => jobInputSchema.parse({ kind: 'shell', cron: '0 3 * * *', ...input });

describe('shell jobs', () => {
  it('runs in the job folder with its environment, and records output and exit code', async () => {
    const { core, dir } = (h = await startHarness());
    const folder = path.join(dir, 'work');
    fs.mkdirSync(folder);
    const ok = core.scheduler.create(job({ name: 'greet', command: 'echo "hello $WHO from $(pwd)"; echo oops >&2', cwd: folder, env: { WHO: 'cron' } }), desktopCaller);
    expect(core.scheduler.runNow(ok.id)).toMatchObject({ status: 'running', trigger: 'manual' });
    await core.scheduler.settled(ok.id);
    const [run] = core.scheduler.runs(ok.id, 5);
    expect(run).toMatchObject({ status: 'ok', exitCode: 0, stdoutTail: `hello cron from ${folder}\n`, stderrTail: 'oops\n' });
    expect(h.notifications.at(-1)).toMatchObject({ title: 'greet: done' });

    const bad = core.scheduler.create(job({ name: 'fail', command: 'exit 3' }), desktopCaller);
    core.scheduler.runNow(bad.id);
    await core.scheduler.settled(bad.id);
    expect(core.scheduler.runs(bad.id, 1)[0]).toMatchObject({ status: 'failed', exitCode: 3, reason: 'exit code 3' });

    const gone = core.scheduler.create(job({ name: 'gone', command: 'true', cwd: path.join(dir, 'no-such-folder') }), desktopCaller);
    core.scheduler.runNow(gone.id);
    await core.scheduler.settled(gone.id);
    expect(core.scheduler.runs(gone.id, 1)[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('does not exist') });
  });

  it('kills a run at its timeout, children included', async () => {
    const { core, dir } = (h = await startHarness());
    const marker = path.join(dir, 'child-survived');
    const slow = core.scheduler.create(job({ name: 'slow', command: `(sleep 3; touch ${marker}) & sleep 30`, timeoutSeconds: 1 }), desktopCaller);
    core.scheduler.runNow(slow.id);
    await core.scheduler.settled(slow.id, 15_000);
    expect(core.scheduler.runs(slow.id, 1)[0]).toMatchObject({ status: 'timeout', reason: 'killed after the 1 s timeout' });
    await new Promise((r) => setTimeout(r, 3500));
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('skips a run while the previous one is going, or queues it when told to', async () => {
    const { core } = (h = await startHarness());
    const skip = core.scheduler.create(job({ name: 'skip', command: 'sleep 1' }), desktopCaller);
    core.scheduler.runNow(skip.id);
    expect(core.scheduler.runNow(skip.id)).toMatchObject({ status: 'skipped', reason: 'the previous run was still going' });
    await core.scheduler.settled(skip.id);
    expect(core.scheduler.runs(skip.id, 5).map((r) => r.status).sort()).toEqual(['ok', 'skipped']);

    const queue = core.scheduler.create(job({ name: 'queue', command: 'sleep 0.5', overlap: 'queue' }), desktopCaller);
    core.scheduler.runNow(queue.id);
    core.scheduler.runNow(queue.id);
    await core.scheduler.settled(queue.id);
    expect(core.scheduler.runs(queue.id, 5).map((r) => r.status)).toEqual(['ok', 'ok']);
  });

  it('retries a failed run with backoff, up to the count', async () => {
    const { core } = (h = await startHarness());
    const flaky = core.scheduler.create(job({ name: 'flaky', command: 'exit 1', retries: 2, retryDelaySeconds: 1 }), desktopCaller);
    core.scheduler.runNow(flaky.id);
    // Attempts at 0 s, +1 s, +2 s.
    await expect.poll(() => core.scheduler.runs(flaky.id, 10).length, { timeout: 10_000 }).toBe(3);
    await core.scheduler.settled(flaky.id);
    const runs = core.scheduler.runs(flaky.id, 10).reverse();
    expect(runs.map((r) => [r.trigger, r.attempt, r.status])).toEqual([
      ['manual', 1, 'failed'],
      ['retry', 2, 'failed'],
      ['retry', 3, 'failed'],
    ]);
  });

  it('fires on its schedule through node-schedule', async () => {
    const { core } = (h = await startHarness());
    const every = core.scheduler.create(job({ name: 'every second', cron: '* * * * * *', command: 'true' }), desktopCaller);
    await expect.poll(() => core.scheduler.runs(every.id, 5).filter((r) => r.trigger === 'schedule').length, { timeout: 5000 }).toBeGreaterThan(0);
    core.scheduler.update(every.id, { enabled: false }, desktopCaller);
    const first = core.scheduler.runs(every.id, 50).find((r) => r.trigger === 'schedule')!;
    expect(first.plannedAt! % 1000).toBe(0);
    expect(first.startedAt! - first.plannedAt!).toBeLessThan(1000);
  });

  it('starts the jobs of one instant together, whatever their time zones', async () => {
    const { core } = (h = await startHarness());
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
    const ids = new Set(zones.map((timeZone) => core.scheduler.create(job({ name: timeZone, cron: '* * * * * *', timeZone, command: 'true' }), desktopCaller).id));
    // For each instant, the turn of the event loop each run started in (a microtask ends a turn).
    const turns = new Map<number, object[]>();
    let turn: object | null = null;
    const unsubscribe = core.events.subscribe((name, payload) => {
      const run = payload as JobRun;
      if (name !== 'schedules.run' || run.status !== 'running' || !ids.has(run.jobId)) return;
      if (!turn) {
        turn = {};
        queueMicrotask(() => (turn = null));
      }
      turns.set(run.plannedAt!, [...(turns.get(run.plannedAt!) ?? []), turn]);
    });
    await expect.poll(() => [...turns.values()].filter((t) => t.length === zones.length).length, { timeout: 5000 }).toBeGreaterThan(1);
    unsubscribe();
    for (const id of ids) core.scheduler.update(id, { enabled: false }, desktopCaller);
    for (const started of turns.values()) expect(new Set(started).size).toBe(1);
  });

  it('refuses a bad expression, time zone or variable name, naming the field', async () => {
    const { core } = (h = await startHarness());
    expect(() => core.scheduler.create(job({ name: 'x', command: 'true', cron: '0 25 * * *' }), desktopCaller)).toThrow(/^cron: /);
    expect(() => core.scheduler.create(job({ name: 'x', command: 'true', timeZone: 'Nowhere/City' }), desktopCaller)).toThrow(/^timeZone: /);
    const result = await core.router.call('schedules.create', { name: 'x', kind: 'shell', cron: '* * * * *', command: 'true', env: { 'BAD NAME': '1' } }, { surface: 'browser', actor: 'browser:test' });
    expect(!result.ok && result.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^env/) });
    expect(core.scheduler.list()).toEqual([]);
  });
});

/** A core whose scheduler clock the test sets. */
async function coreAt(harness: Harness, clock: { now: number }) {
  const core = testCore(path.join(harness.dir, 'data'), { env: harness.env, now: () => clock.now });
  await core.start();
  extra.push(core);
  return core;
}

describe('the next run in the list', () => {
  it('moves on once the remembered next run has passed, and follows a change of schedule', async () => {
    const harness = (h = await startHarness());
    await harness.core.stop();
    const clock = { now: Date.parse('2026-03-28T12:00:00Z') };
    const core = await coreAt(harness, clock);
    const hourly = core.scheduler.create(job({ name: 'hourly', cron: '0 * * * *', command: 'true', timeZone: 'Europe/Berlin' }), desktopCaller);
    const next = () => new Date(core.scheduler.list().find((j) => j.id === hourly.id)!.nextRun!).toISOString();
    expect(next()).toBe('2026-03-28T13:00:00.000Z');
    clock.now += 30 * 60_000;
    expect(next()).toBe('2026-03-28T13:00:00.000Z');
    clock.now += 31 * 60_000;
    expect(next()).toBe('2026-03-28T14:00:00.000Z');
    // A new schedule, across the spring-forward night in Berlin (02:00 → 03:00 on 29 March): by the
    // runner's rules 02:30 that day is 03:30 local.
    core.scheduler.update(hourly.id, { cron: '30 2 * * *' }, desktopCaller);
    expect(next()).toBe('2026-03-29T01:30:00.000Z');
  });
});

describe('runs missed while Switchboard was not running', () => {
  const T0 = Date.parse('2026-06-01T00:00:30Z');

  async function downtime(policy: JobInput['missed'], options: Partial<JobInput> = {}) {
    const harness = (h = await startHarness());
    const clock = { now: T0 };
    await harness.core.stop();
    let core = await coreAt(harness, clock);
    const created = core.scheduler.create(job({ name: `hourly ${policy}`, cron: '0 * * * *', command: 'echo ran', missed: policy, missedLimit: 3, graceSeconds: 60, ...options }), desktopCaller);
    await core.stop();
    extra.splice(extra.indexOf(core), 1);
    clock.now = T0 + 5 * 3600_000 + 10 * 60_000; // five hourly runs fell, the last 10 min ago
    core = await coreAt(harness, clock);
    await core.scheduler.settled(created.id);
    return { core, id: created.id, runs: () => core.scheduler.runs(created.id, 20).reverse() };
  }

  const summary = (runs: JobRun[]) => runs.map((r) => [r.status, r.plannedAt === null ? null : new Date(r.plannedAt).toISOString().slice(11, 16), r.trigger]);

  it('skip: records each missed run, the oldest beyond the limit as a count', async () => {
    const { runs } = await downtime('skip');
    expect(summary(runs())).toEqual([
      ['missed', '03:00', 'schedule'],
      ['missed', '04:00', 'schedule'],
      ['missed', '05:00', 'schedule'],
      ['missed', null, 'schedule'],
    ]);
    expect(runs().at(-1)!.reason).toBe('and 2 earlier runs missed as well');
  });

  it('once: runs the latest one now and records the rest', async () => {
    const { runs } = await downtime('once');
    expect(summary(runs()).filter(([s]) => s !== 'missed')).toEqual([['ok', '05:00', 'catch-up']]);
    expect(runs().filter((r) => r.status === 'missed')).toHaveLength(3);
  });

  it('each: runs every missed one up to the limit, in order', async () => {
    const { runs } = await downtime('each');
    expect(summary(runs()).filter(([s]) => s === 'ok')).toEqual([
      ['ok', '03:00', 'catch-up'],
      ['ok', '04:00', 'catch-up'],
      ['ok', '05:00', 'catch-up'],
    ]);
  });

  it('a run within the grace window is just late, and runs', async () => {
    const { runs } = await downtime('skip', { graceSeconds: 15 * 60 });
    expect(summary(runs()).filter(([s]) => s !== 'missed')).toEqual([['ok', '05:00', 'catch-up']]);
  });

  it('a restart does not run a job twice', async () => {
    const { core, id, runs } = await downtime('once');
    const before = runs().length;
    await core.stop();
    extra.splice(extra.indexOf(core), 1);
    const again = await coreAt(h!, { now: T0 + 5 * 3600_000 + 11 * 60_000 });
    await again.scheduler.settled(id);
    expect(again.scheduler.runs(id, 50)).toHaveLength(before);
  });

  it('a second Switchboard on the same data folder is refused, so no job runs twice at once', async () => {
    const harness = (h = await startHarness());
    await expect(coreAt(harness, { now: Date.now() })).rejects.toThrow(/another Switchboard \(pid \d+\) is using/);
  });

  it('marks a run cut short by a crash as failed on the next start, freeing the run lock', async () => {
    const harness = (h = await startHarness());
    const long = harness.core.scheduler.create(job({ name: 'long', command: 'sleep 1' }), desktopCaller);
    harness.core.storage.db.prepare(`INSERT INTO active_runs (id, job_id, started_at, trigger, attempt) VALUES ('crashed', ?, 1, 'schedule', 1)`).run(long.id);
    expect(harness.core.scheduler.runNow(long.id)).toMatchObject({ status: 'skipped', reason: 'a run of this job is already in progress' });
    await harness.core.stop();
    const again = await coreAt(harness, { now: Date.now() });
    expect(again.scheduler.runs(long.id, 5).find((r) => r.id === 'crashed')).toMatchObject({ status: 'failed', reason: 'Switchboard stopped during this run' });
    expect(again.scheduler.runNow(long.id).status).toBe('running');
    await again.scheduler.settled(long.id);
  });
});

describe('Claude jobs, through the real CLI', () => {
  it('records the result and cost, and a persistent session carries on from run to run', async () => {
    const { core, api } = (h = await startHarness());
    const briefing = core.scheduler.create(jobInputSchema.parse({ name: 'briefing', kind: 'claude', cron: '0 7 * * *', command: 'Summarize the day', sessionMode: 'persistent' }), desktopCaller);
    core.scheduler.runNow(briefing.id);
    await core.scheduler.settled(briefing.id);
    const [first] = core.scheduler.runs(briefing.id, 1);
    expect(first).toMatchObject({ status: 'ok', resultText: 'echo: Summarize the day' });
    expect(first!.costUsd).toBeGreaterThan(0);
    const session = core.sessions.get(first!.sessionId!);
    expect(session).toMatchObject({ surface: 'schedule', title: 'Job: briefing' });

    core.scheduler.runNow(briefing.id);
    await core.scheduler.settled(briefing.id);
    const [second] = core.scheduler.runs(briefing.id, 1);
    expect(second!.sessionId).toBe(first!.sessionId);
    const request = api.mainRequests().at(-1)!;
    expect(lastUserText(request)).toBe('Summarize the day');
    expect(userTexts(request).filter((t) => t === 'Summarize the day')).toHaveLength(2);

    const fresh = core.scheduler.create(jobInputSchema.parse({ name: 'fresh', kind: 'claude', cron: '0 7 * * *', command: 'New day' }), desktopCaller);
    core.scheduler.runNow(fresh.id);
    await core.scheduler.settled(fresh.id);
    core.scheduler.runNow(fresh.id);
    await core.scheduler.settled(fresh.id);
    const [a, b] = core.scheduler.runs(fresh.id, 2);
    expect(a!.sessionId).not.toBe(b!.sessionId);
    // A fresh run's process is never reused: it ends with the run instead of idling 30 minutes under the limit.
    await expect.poll(() => [a, b].map((r) => core.sessions.get(r!.sessionId!).pid), { timeout: 10_000 }).toEqual([null, null]);
    // The persistent one idles, ready for the next run.
    expect(core.sessions.get(first!.sessionId!).pid).not.toBeNull();
  });

  it('knows a running run’s session from its start, so its question can be found from the run', async () => {
    const { core, api } = (h = await startHarness());
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch asked.txt', description: 'make a file' } }, { kind: 'text', text: 'done' });
    const job = core.scheduler.create(jobInputSchema.parse({ name: 'asks', kind: 'claude', cron: '0 7 * * *', command: 'make a file' }), desktopCaller);
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending', 30_000);
    core.scheduler.runNow(job.id);
    const question = await asked;
    const [running] = core.scheduler.runs(job.id, 1);
    expect(running).toMatchObject({ status: 'running', sessionId: question.sessionId });
    core.approvals.answer(question.id, { decision: 'deny' }, { by: 'user', via: 'desktop' });
    await core.scheduler.settled(job.id);
    expect(core.scheduler.runs(job.id, 1)[0]).toMatchObject({ status: 'ok', sessionId: question.sessionId });
  });
});

describe('idle processes', () => {
  it('a shorter idle time applies to the processes already idle', async () => {
    const { core, turnEnded } = (h = await startHarness());
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'hello', desktopCaller).id);
    expect(core.sessions.get(session.id).pid).not.toBeNull();
    // Idle for a moment already: 0.01 minutes (0.6 s) counts from when it fell idle.
    core.settings.set({ key: 'sessions.idleStopMinutes', value: 0.01 });
    await expect.poll(() => core.sessions.get(session.id).pid, { timeout: 5000 }).toBeNull();
  });
});

describe('a shell job never outlives supervision', () => {
  it('after kill -9 of Switchboard, the next start kills the leftover command before recording the run as failed', async () => {
    const dir = makeTempDir();
    try {
      const data = path.join(dir, 'data');
      const beat = path.join(dir, 'beat');
      const script = path.join(dir, 'crashing-switchboard.mts');
      // A real second process holding the core: it starts a job, says its process group, and is then killed -9.
      fs.writeFileSync(
        script,
        `import { jobInputSchema } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../contract/index.ts'))};
         import { testCore } from ${JSON.stringify(path.resolve(import.meta.dirname, '../testing/temp-core.ts'))};
         const core = testCore(${JSON.stringify(data)}, { env: { PATH: process.env.PATH, HOME: ${JSON.stringify(dir)}, SHELL: '/bin/sh' } });
         await core.start();
         const job = core.scheduler.create(jobInputSchema.parse({ name: 'beat', kind: 'shell', cron: '0 3 * * *', timeoutSeconds: 2,
           command: 'while true; do date +%s%N >> ${beat}; sleep 0.1; done' }), { surface: 'desktop', actor: 'desktop' });
         const run = core.scheduler.runNow(job.id);
         const wait = () => core.storage.db.prepare('SELECT pgid FROM active_runs WHERE id = ?').pluck().get(run.id);
         while (!wait()) await new Promise((r) => setTimeout(r, 20));
         console.log(JSON.stringify({ jobId: job.id, runId: run.id, pgid: wait() }));`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const started = await new Promise<{ jobId: string; runId: string; pgid: number }>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the crashing Switchboard exited early (${code}): ${stderr.slice(-2000)}`)));
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // The command goes on without its Switchboard, past its 2 s timeout.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(() => process.kill(-started.pgid, 0)).not.toThrow();

      const next = testCore(data, { env: { PATH: process.env.PATH, HOME: dir } });
      await next.start();
      extra.push(next);
      const gone = () => {
        try {
          process.kill(-started.pgid, 0);
          return false;
        } catch {
          return true;
        }
      };
      await expect.poll(gone, { timeout: 3000 }).toBe(true);
      const size = fs.statSync(beat).size;
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(fs.statSync(beat).size).toBe(size);
      expect(next.scheduler.runs(started.jobId, 5).find((r) => r.id === started.runId)).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining(`process group ${started.pgid}) and was killed`),
      });
    } finally {
      await Promise.all(extra.splice(0).map((c) => c.stop()));
      removeTempDir(dir);
    }
  }, 60_000);

  it('refuses at save what could only fail later: NUL bytes, a relative folder, bypass as root; warns of a missing folder', async () => {
    const { core, dir } = (h = await startHarness());
    const input = (patch: Record<string, unknown>) => core.router.call('schedules.create', { name: 'x', kind: 'shell', cron: '0 3 * * *', command: 'true', ...patch }, { surface: 'browser', actor: 'browser:test' });
    for (const [patch, field] of [
      [{ command: 'echo a\0b' }, 'command'],
      [{ cwd: '/tmp/a\0b' }, 'cwd'],
      [{ env: { A: 'x\0y' } }, 'env.A'],
      [{ cwd: 'relative/folder' }, 'cwd'],
    ] as const) {
      const result = await input(patch);
      expect(result, JSON.stringify(patch)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining(field) } });
    }
    const asRoot = new SchedulerService({ ...(core.scheduler as unknown as { deps: ConstructorParameters<typeof SchedulerService>[0] }).deps, isRoot: true });
    expect(() => asRoot.create(job({ name: 'yolo', command: 'do it', kind: 'claude', permissionPolicy: 'bypass' }), desktopCaller)).toThrow(/refuses to bypass permissions when it runs as root/);
    const missing = await input({ cwd: path.join(dir, 'not-yet') });
    expect(missing).toMatchObject({ ok: true, value: { warnings: [expect.stringContaining('does not exist')] } });
    const home = await input({ cwd: '~' });
    expect(home).toMatchObject({ ok: true, value: { cwd: core.config.env!.HOME, warnings: [] } });
  });
});
