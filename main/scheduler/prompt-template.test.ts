import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobRun } from '../../contract';
import { makeTempDir, removeTempDir } from '../testing/temp-core';
import { NO_EARLIER_RUN, NO_NEXT_PROMPT, renderJobPrompt, type RenderInput, type TemplateJob, type TemplateServices } from './prompt-template';
import { runShell } from './shell-runner';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeTempDir));

function folder(): string {
  const dir = makeTempDir('switchboard-template-');
  dirs.push(dir);
  return dir;
}

const services: TemplateServices = {
  memories: async (query) => (query === 'deploy' ? ['Deploys happen on Tuesdays (process)'] : []),
  history: async (query) => (query === 'outage' ? ['2025-03-03 09:00 · Ops · user: the \u0001outage\u0002 was DNS'] : []),
  shell: (command, cwd, timeoutMs) => runShell({ command, cwd, env: { PATH: process.env.PATH }, timeoutMs, signal: new AbortController().signal }),
};

const lastRun: JobRun = {
  id: 'r1', jobId: 'j', plannedAt: null, startedAt: Date.UTC(2025, 2, 2, 8), endedAt: Date.UTC(2025, 2, 2, 8, 1), status: 'failed', trigger: 'schedule', attempt: 1,
  exitCode: null, stdoutTail: null, stderrTail: null, resultText: 'Half done', costUsd: null, sessionId: null, reason: 'rate limited',
  prompt: null, problems: [], nextPrompt: null, outputDir: null, attachments: [], steps: [], chainedFrom: null,
};

function input(job: Partial<TemplateJob>, over: Partial<RenderInput> = {}): RenderInput {
  return {
    job: { command: '', template: true, systemPrompt: null, sources: [], values: {}, onMissing: 'mark', timeZone: 'Asia/Tokyo', cwd: null, name: 'Digest', id: 'j', ...job },
    run: { id: 'run-1', outputDir: '/tmp/out/run-1', attempt: 1 },
    lastRun: null,
    nextPrompt: null,
    // Monday 2025-03-03 00:30 UTC is 09:30 in Tokyo.
    now: Date.UTC(2025, 2, 3, 0, 30),
    allowCommands: true,
    ...over,
  };
}

describe('job prompt templates', () => {
  it('fills each source: time in the zone, last run, next prompt, memories, history, a file, a command, values', async () => {
    const cwd = folder();
    fs.writeFileSync(path.join(cwd, 'notes.md'), 'Ship v2 on Friday');
    const rendered = await renderJobPrompt(
      input(
        {
          cwd,
          command: [
            'Now: {{ now }} / {{ now.date }} {{ now.time }} {{ now.weekday }}',
            'Last: {{ last_run.status }} — {{ last_run }} ({{ last_run.reason }})',
            'Next: {{ next_prompt }}',
            'Mem: {{ mem }}',
            'Hist: {{ hist }}',
            'Notes: {{ notes }}',
            'Cmd: {{ cmd }}',
            'Client: {{ values.client }}; files go to {{ run.output_dir }}',
            '{% if now.hour < 12 %}morning{% endif %}',
          ].join('\n'),
          systemPrompt: 'You write for {{ values.client }}.',
          values: { client: 'ACME' },
          sources: [
            { kind: 'memories', name: 'mem', query: 'deploy', limit: 5 },
            { kind: 'history', name: 'hist', query: 'outage', limit: 5 },
            { kind: 'file', name: 'notes', path: 'notes.md' },
            { kind: 'command', name: 'cmd', command: 'echo from-the-shell', timeoutSeconds: 10 },
          ],
        },
        { lastRun, nextPrompt: { text: 'Look at the queue first', runId: 'r1', endedAt: 0 } },
      ),
      services,
    );
    expect(rendered.problems).toEqual([]);
    expect(rendered.prompt).toBe(
      [
        'Now: Monday 2025-03-03 09:30 (Asia/Tokyo) / 2025-03-03 09:30 Monday',
        'Last: failed — Half done (rate limited)',
        'Next: Look at the queue first',
        'Mem: - Deploys happen on Tuesdays (process)',
        'Hist: - 2025-03-03 09:00 · Ops · user: the outage was DNS',
        'Notes: Ship v2 on Friday',
        'Cmd: from-the-shell',
        'Client: ACME; files go to /tmp/out/run-1',
        'morning',
      ].join('\n'),
    );
    expect(rendered.systemPrompt).toBe('You write for ACME.');
    expect(rendered.sources.map((s) => [s.name, s.ok])).toEqual([
      ['mem', true],
      ['hist', true],
      ['notes', true],
      ['cmd', true],
      ['now', true],
      ['last_run', true],
      ['next_prompt', true],
    ]);
  });

  it('marks every gap in words and records it: a missing file, a failing command, an unset value, an unknown name', async () => {
    const cwd = folder();
    const rendered = await renderJobPrompt(
      input({
        cwd,
        command: '{{ notes }}|{{ cmd }}|{{ last_run.result }}|{{ next_prompt }}|{{ values.client }}|{{ typo }}|{{ outside }}',
        sources: [
          { kind: 'file', name: 'notes', path: 'notes.md' },
          { kind: 'command', name: 'cmd', command: 'echo broken >&2; exit 4', timeoutSeconds: 10 },
          { kind: 'file', name: 'outside', path: '../../etc/passwd' },
        ],
      }),
      services,
    );
    expect(rendered.problems).toEqual([
      `notes: there is no file notes.md in ${cwd}`,
      'cmd: `echo broken >&2; exit 4` exit code 4: broken',
      `outside: ../../etc/passwd is outside the job's folder ${cwd}`,
      'typo: no source or built-in has this name',
      // Found as the template renders, after the names checked before it.
      'values.client: no value of that name is set on the job',
    ]);
    const parts = rendered.prompt.split('|');
    expect(parts).toHaveLength(7);
    // No last run and no next prompt are no gaps: a first run says so in words (README: always there).
    expect(parts.splice(2, 2)).toEqual([NO_EARLIER_RUN, NO_NEXT_PROMPT]);
    for (const part of parts) expect(part).toMatch(/^\[missing [a-z_.]+: .+\]$/);
    expect(rendered.wouldSkip).toBe(false);
    expect((await renderJobPrompt(input({ cwd, command: '{{ notes }}', onMissing: 'skip', sources: [{ kind: 'file', name: 'notes', path: 'notes.md' }] }), services)).wouldSkip).toBe(true);
  });

  it('cannot run code or read files: no include, no prototype, and a broken template is recorded', async () => {
    const cwd = folder();
    fs.writeFileSync(path.join(cwd, 'secret.txt'), 'TOP SECRET');
    const include = await renderJobPrompt(input({ cwd, command: "{% include 'secret.txt' %}" }), services);
    expect(include.prompt).not.toContain('TOP SECRET');
    expect(include.problems[0]).toMatch(/template/);
    const proto = await renderJobPrompt(input({ command: '{{ values.constructor }}|{{ job.constructor.name }}', values: {} }), services);
    expect(proto.prompt).not.toContain('function');
    expect(proto.prompt).not.toContain('Object');
    const broken = await renderJobPrompt(input({ command: 'Hello {% if %}' }), services);
    expect(broken.problems[0]).toMatch(/^the prompt is not a valid template/);
    expect(broken.prompt).toContain('Hello {% if %}');
    // A plain prompt is left as it is, braces and all.
    expect((await renderJobPrompt(input({ template: false, command: 'Use {{ braces }} as is' }), services)).prompt).toBe('Use {{ braces }} as is');
  });

  it('does not run a command where the caller is not the owner', async () => {
    const cwd = folder();
    const rendered = await renderJobPrompt(input({ cwd, command: '{{ cmd }}', sources: [{ kind: 'command', name: 'cmd', command: `touch ${path.join(cwd, 'ran')}`, timeoutSeconds: 5 }] }, { allowCommands: false }), services);
    expect(rendered.problems).toEqual(['cmd: commands run only in a preview asked from the Switchboard window']);
    expect(fs.existsSync(path.join(cwd, 'ran'))).toBe(false);
  });

  it('caps what a source feeds in at 100,000 characters, saying how much there was', async () => {
    const huge: TemplateServices = { ...services, memories: async () => ['x'.repeat(300_000)] };
    const rendered = await renderJobPrompt(input({ command: '{{ mem }}', sources: [{ kind: 'memories', name: 'mem', query: 'q', limit: 5 }] }), huge);
    expect(rendered.prompt.length).toBeLessThan(100_100);
    expect(rendered.prompt).toMatch(/… \(cut: 300002 characters in all\)$/);
  });

  it('refuses a prompt a loop multiplies past 400,000 characters, in words, instead of handing it on', async () => {
    const big: TemplateServices = { ...services, memories: async () => ['y'.repeat(90_000)] };
    const rendered = await renderJobPrompt(input({ command: '{% for i in (1..50) %}{{ mem }}{% endfor %}', sources: [{ kind: 'memories', name: 'mem', query: 'q', limit: 5 }] }), big);
    expect(rendered.prompt.length).toBeLessThan(200_000);
    expect(rendered.problems.join(' ')).toMatch(/over the 400,000 a prompt may have/);
  });

  it('gives a first run an explicit "no earlier run" last_run and "no next prompt" that are no gaps, so a job that skips on a gap still runs', async () => {
    const job = { command: 'Previous status: {{ last_run.status }} ({{ last_run }})', onMissing: 'skip' as const };
    const first = await renderJobPrompt(input(job), services);
    expect(first).toMatchObject({ prompt: `Previous status: none (${NO_EARLIER_RUN})`, problems: [], wouldSkip: false });
    expect(await renderJobPrompt(input({ command: 'Next: {{ next_prompt }}', onMissing: 'skip' }), services)).toMatchObject({ prompt: `Next: ${NO_NEXT_PROMPT}`, problems: [], wouldSkip: false });
    expect(first.sources.find((s) => s.name === 'last_run')).toMatchObject({ ok: true, text: NO_EARLIER_RUN });
    const second = await renderJobPrompt(input(job, { lastRun }), services);
    expect(second.prompt).toBe('Previous status: failed (Half done)');
  });
});
