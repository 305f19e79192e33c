import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jobInputSchema, type JobInput, type JobRun } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { SMTP_PASSWORD_SECRET } from '../mail/mail-service';
import { lastUserText } from '../testing/fake-anthropic';
import { reportModel } from '../testing/report-model';
import { NO_NEXT_PROMPT } from './prompt-template';
import { allow, member, startDiscord, type DiscordHarness } from '../testing/discord-harness';
import { startSmtpStandIn } from '../testing/smtp-stand-in';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { FakeTelegram } from '../testing/fake-telegram';
import { owner, pair, startTelegram, type TelegramHarness } from '../testing/telegram-harness';
import { nextEvent } from '../testing/wait';

// Scheduled work that reports, end to end: the real CLI (against the Anthropic stand-in) writes a file into
// its run's folder and leaves the next prompt over Switchboard's MCP server; the file reaches the Telegram
// and Discord stand-ins as a document and a loopback SMTP server as a multipart mail.
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let t: TelegramHarness | null = null;
let d: DiscordHarness | null = null;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await t?.close();
  await d?.close();
  t = null;
  d = null;
  // Last made, first undone: the core stops before its folder goes.
  for (const c of cleanups.splice(0).reverse()) await c();
});

const reportJob = (over: Partial<JobInput> = {}): Partial<JobInput> & Pick<JobInput, 'name' | 'kind' | 'cron' | 'command'> => ({
  name: 'Weekly report',
  kind: 'claude',
  cron: '0 9 * * 1',
  timeZone: 'Europe/Paris',
  // Its own output folder is writable without a question; acceptEdits is the owner's choice here.
  permissionPolicy: 'acceptEdits',
  template: true,
  command: 'Write the report for {{ now.weekday }}. Last time you left: {{ next_prompt }}',
  ...over,
});

async function runToEnd(core: Core, jobId: string): Promise<JobRun> {
  const ended = nextEvent(core.events, 'schedules.run', (r) => r.jobId === jobId && r.status !== 'running' && r.steps.length > 0, 90_000);
  await core.scheduler.runNow(jobId);
  return ended;
}

describe('scheduled work that reports', { timeout: 180_000 }, () => {
  it('a run writes a file into its folder (an attachment, on Telegram as a document and by mail as multipart), and its next prompt reaches the next run', async () => {
    const smtp = await startSmtpStandIn();
    cleanups.push(smtp.stop);
    t = await startTelegram({ core: { server: SERVER } });
    await pair(t);
    const { core, api, dir } = t.harness;
    core.settings.set({ key: 'reports.outputDir', value: path.join(dir, 'runs') });
    core.settings.set({ key: 'mail.smtpHost', value: '127.0.0.1' });
    core.settings.set({ key: 'mail.smtpPort', value: smtp.port });
    core.settings.set({ key: 'mail.from', value: 'Switchboard <bot@example.test>' });
    reportModel(api, { file: { name: 'report.csv', content: 'day,total\nmon,3\ntue,5\n' }, nextPrompt: 'Check the totals against last week', answer: 'The **weekly report** is attached.' });
    const job = core.scheduler.create(jobInputSchema.parse({ ...reportJob(), delivery: { chats: [{ surface: 'telegram', target: 'owner' }], email: ['olivia@example.test'] } }), desktopCaller);

    const first = await runToEnd(core, job.id);
    expect(first.status, first.reason ?? '').toBe('ok');
    // No earlier run left a next prompt: said in words, never an empty string, and no gap (it is always there).
    expect(first.prompt).toContain(NO_NEXT_PROMPT);
    expect(first.problems).toEqual([]);
    expect(first.attachments).toEqual([{ name: 'report.csv', size: 22 }]);
    expect(fs.readFileSync(path.join(first.outputDir!, 'report.csv'), 'utf8')).toContain('tue,5');
    expect(first.outputDir!.startsWith(path.join(dir, 'runs'))).toBe(true);
    expect(first.nextPrompt).toBe('Check the totals against last week');
    expect(first.steps).toEqual([expect.objectContaining({ kind: 'deliver', status: 'ok', detail: expect.stringContaining('Telegram') })]);

    // Telegram: the result, then the file as a document.
    const doc = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.document?.file_name === 'report.csv'), 20_000, 'the report as a document');
    expect(doc.document!.content.toString()).toBe('day,total\nmon,3\ntue,5\n');
    expect(t.tg.chat(owner.id).some((m) => m.text.includes('Weekly report') && m.text.includes('report.csv'))).toBe(true);

    // Mail: text and HTML (the Markdown rendered) and the file, in one multipart message.
    const mail = await t.tg.until(() => smtp.mails[0], 20_000, 'the mail');
    expect(mail.to).toEqual(['olivia@example.test']);
    expect(mail.raw).toMatch(/Content-Type: multipart\/mixed/);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    expect(mail.raw).toContain('<strong>weekly report</strong>');
    expect(mail.raw).toMatch(/filename=report\.csv/);
    expect(mail.raw).toContain(Buffer.from('day,total\nmon,3\ntue,5\n').toString('base64'));

    // The next run is told what the last one left.
    const second = await runToEnd(core, job.id);
    expect(second.status).toBe('ok');
    expect(second.prompt).toMatch(/^Write the report for [A-Z][a-z]+day\. Last time you left: Check the totals against last week$/);
    expect(second.problems).toEqual([]);
    const asked = api.mainRequests().filter((r) => lastUserText(r).startsWith('Write the report'));
    expect(lastUserText(asked.at(-1)!)).toContain('Last time you left: Check the totals against last week');

    // The owner edits what the last run left; the preview renders with it. A session cannot reach another job.
    await core.router.call('schedules.editNextPrompt', { runId: second.id, text: 'Only the summary this time' }, desktopCaller);
    const preview = await core.router.call('schedules.previewPrompt', { id: job.id, command: job.command }, desktopCaller);
    expect(preview).toMatchObject({ ok: true, value: { prompt: expect.stringContaining('Last time you left: Only the summary this time'), problems: [] } });
    const stranger = await core.router.call('schedules.setNextPrompt', { text: 'hijack' }, { surface: 'mcp', actor: 'session:not-a-job-session' });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // The download route gives the file to the UI token only.
    const port = core.server!.address!.port;
    const url = `http://127.0.0.1:${port}/files/runs/${first.id}/report.csv`;
    const got = await fetch(url, { headers: { Authorization: `Bearer ${core.serverToken}` } });
    expect(got.status).toBe(200);
    expect(await got.text()).toContain('mon,3');
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/files/runs/${first.id}/..%2F..%2Fsecrets.json`, { headers: { Authorization: `Bearer ${core.serverToken}` } })).status).toBe(404);
    expect(core.config.secrets.get(SMTP_PASSWORD_SECRET)).toBeNull();
  });

  it('the run’s file reaches Discord as a document', async () => {
    d = await startDiscord({ core: { server: SERVER } });
    await allow(d);
    const { core, api, dir } = d.harness;
    core.settings.set({ key: 'reports.outputDir', value: path.join(dir, 'runs') });
    reportModel(api, { file: { name: 'report.csv', content: 'day,total\nmon,3\ntue,5\n' }, nextPrompt: 'Next time: compare with March', answer: 'The **weekly report** is attached.' });
    const job = core.scheduler.create(jobInputSchema.parse({ ...reportJob(), delivery: { desktop: false, chats: [{ surface: 'discord', target: 'owner' }] } }), desktopCaller);
    const run = await runToEnd(core, job.id);
    expect(run.attachments.map((a) => a.name)).toEqual(['report.csv']);
    const dm = d.dc.dm(member);
    const withFile = await d.dc.until(() => d!.dc.in(dm.id).find((m) => m.from_bot && m.files.some((f) => f.name === 'report.csv')), 20_000, 'the report in the DM');
    expect(withFile.files[0]!.content.toString()).toContain('tue,5');
  });
});

describe('background work from a chat', { timeout: 90_000 }, () => {
  it('/task in Telegram runs in a fresh session and its answer comes back to that chat, with the file it made', async () => {
    t = await startTelegram();
    await pair(t);
    const { core, api, dir } = t.harness;
    core.settings.set({ key: 'reports.outputDir', value: path.join(dir, 'runs') });
    reportModel(api, { file: { name: 'prs.md', content: '- #12 fix the login\n- #14 docs\n' }, answer: { kind: 'text', text: 'Three pull requests are open.', delayMs: 300 } });
    t.tg.send(owner, '/task sum up the open pull requests');
    await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.text.includes('Working on it in the background')), 15_000, 'the acknowledgement');
    const answer = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.text.includes('Three pull requests are open.')), 45_000, 'the answer');
    expect(answer.text).toContain('Task: sum up the open pull requests');
    expect(answer.text).toContain('prs.md');
    // The file it made comes as a document, after the answer.
    const doc = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.document?.file_name === 'prs.md'), 20_000, 'the task’s file');
    expect(doc.document!.content.toString()).toBe('- #12 fix the login\n- #14 docs\n');
    // Its own session, not the chat's conversation; one answer, no separate "finished" note.
    const task = core.sessions.list().find((s) => s.title === 'Task: sum up the open pull requests');
    expect(task).toMatchObject({ surface: 'telegram', surfaceKey: expect.stringMatching(/^task:/) });
    expect(core.sessions.transcript(task!.id, 10).turns).toHaveLength(1);
    expect(t.tg.chat(owner.id).filter((m) => m.text.includes('Claude finished'))).toEqual([]);
  });

  it('/task’s answer comes back after a restart (nothing waits in memory for it), once', async () => {
    const tg = await new FakeTelegram().start();
    cleanups.push(() => tg.stop());
    t = await startTelegram({ telegram: tg });
    await pair(t);
    const { dir } = t.harness;
    t.harness.api.reply({ kind: 'hang', text: 'Reading the pull requests' });
    tg.send(owner, '/task read every open pull request');
    await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('Working on it in the background')), 15_000, 'the acknowledgement');
    const task = t.harness.core.tasks.list(5)[0]!;
    expect(task.replyTo).toEqual({ surface: 'telegram', chatKey: String(owner.id) });
    await tg.until(() => t!.harness.core.tasks.get(task.id).status === 'running', 30_000, 'the task to run');
    await t.close(true);

    t = await startTelegram({ telegram: tg, dir });
    const isAnswer = (text: string) => text.includes('Task: read every open pull request') && !text.includes('Working on it');
    const answer = await tg.until(() => tg.chat(owner.id).find((m) => isAnswer(m.text)), 20_000, 'the task’s answer');
    expect(answer.text).toContain('failed');
    expect(answer.text).toContain('Switchboard stopped during this turn');

    // Once: after another restart, a command is answered and the task's answer is not sent again.
    await t.close(true);
    t = await startTelegram({ telegram: tg, dir });
    tg.send(owner, '/help');
    await tg.until(() => tg.chat(owner.id).find((m) => m.text.startsWith('Write to talk with Claude')), 15_000, 'the help');
    expect(tg.chat(owner.id).filter((m) => isAnswer(m.text))).toHaveLength(1);
  });
});

describe('background work from Discord', { timeout: 90_000 }, () => {
  it('/task as a slash command in a DM: the answer and its file come back to that DM', async () => {
    d = await startDiscord();
    await allow(d);
    const { core, api, dir } = d.harness;
    core.settings.set({ key: 'reports.outputDir', value: path.join(dir, 'runs') });
    reportModel(api, { file: { name: 'notes.txt', content: 'standup at 10\n' }, answer: { kind: 'text', text: 'The notes are attached.', delayMs: 200 } });
    const dm = d.dc.dm(member);
    d.dc.slash(member, dm.id, 'task', { prompt: 'write the standup notes' });
    await d.dc.until(() => d!.dc.in(dm.id).find((m) => m.content.includes('Working on it in the background')), 15_000, 'the acknowledgement');
    const answer = await d.dc.until(() => d!.dc.in(dm.id).find((m) => m.from_bot && m.content.includes('The notes are attached.')), 45_000, 'the answer');
    expect(answer.content).toContain('Task: write the standup notes');
    const withFile = await d.dc.until(() => d!.dc.in(dm.id).find((m) => m.from_bot && m.files.some((f) => f.name === 'notes.txt')), 20_000, 'the file');
    expect(withFile.files[0]!.content.toString()).toBe('standup at 10\n');
    expect(core.sessions.list().find((s) => s.title === 'Task: write the standup notes')).toMatchObject({ surface: 'discord', surfaceKey: expect.stringMatching(/^task:/) });
  });
});

describe('steps after a run', { timeout: 60_000 }, () => {
  it('chains two jobs, records a failed step without undoing the run, and refuses a cycle', async () => {
    const dir = makeTempDir('switchboard-chain-');
    cleanups.push(() => removeTempDir(dir));
    const core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir } });
    await core.start();
    cleanups.push(() => core.stop());
    const marker = path.join(dir, 'second-ran');
    const second = core.scheduler.create(jobInputSchema.parse({ name: 'Second', kind: 'shell', cron: '0 3 * * *', command: `echo "$SWITCHBOARD_RUN_ID" > ${marker}`, cwd: dir }), desktopCaller);
    const first = core.scheduler.create(
      jobInputSchema.parse({
        name: 'First',
        kind: 'shell',
        cron: '0 2 * * *',
        command: 'echo first; printf "a,b\\n" > "$SWITCHBOARD_RUN_DIR/out.csv"',
        cwd: dir,
        steps: [
          { kind: 'shell', command: 'echo "status=$SWITCHBOARD_RUN_STATUS"; exit 3', timeoutSeconds: 30 },
          { kind: 'job', jobId: second.id, when: 'ok' },
        ],
      }),
      desktopCaller,
    );
    const chained = nextEvent(core.events, 'schedules.run', (r) => r.jobId === second.id && r.status === 'ok', 30_000);
    const firstDone = nextEvent(core.events, 'schedules.run', (r) => r.jobId === first.id && r.steps.length === 2, 30_000);
    await core.scheduler.runNow(first.id);
    const [done, next] = await Promise.all([firstDone, chained]);
    expect(done.status, JSON.stringify(done)).toBe('ok');
    // A script's file in its run's folder is the run's attachment, as a Claude run's is.
    expect(done.attachments).toEqual([{ name: 'out.csv', size: 4 }]);
    expect(done.outputDir!.startsWith(path.join(dir, 'Switchboard', 'Runs'))).toBe(true);
    expect(done.steps).toEqual([
      expect.objectContaining({ kind: 'shell', status: 'failed', detail: 'exit code 3: status=ok' }),
      expect.objectContaining({ kind: 'job', status: 'ok', label: 'Start “Second” (when this run succeeded)' }),
    ]);
    expect(next.chainedFrom).toBe(done.id);
    expect(core.scheduler.runs(first.id, 5)[0]).toMatchObject({ status: 'ok', steps: [expect.objectContaining({ status: 'failed' }), expect.objectContaining({ status: 'ok' })] });

    // Second starting First again would never end: refused when saved, naming the circle.
    const cycle = await core.router.call('schedules.update', { id: second.id, steps: [{ kind: 'job', jobId: first.id, when: 'always' }] }, desktopCaller);
    expect(cycle).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('Second → First → Second') } });
  });

  it('a template command or an after-run command makes a job from outside the window wait for the owner', async () => {
    const dir = makeTempDir('switchboard-steps-');
    cleanups.push(() => removeTempDir(dir));
    const core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir } });
    await core.start();
    cleanups.push(() => core.stop());
    const mcp = { surface: 'mcp' as const, actor: 'mcp:inspector' };
    // A project folder: from outside the window, not the home folder itself (work-folder.ts).
    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    const plain = await core.router.call('schedules.create', { name: 'Plain', kind: 'claude', cron: '0 9 * * *', command: 'Say hi' }, mcp);
    expect(plain).toMatchObject({ ok: true, value: { approval: null } });
    const sourced = await core.router.call(
      'schedules.create',
      { name: 'Sourced', kind: 'claude', cron: '0 9 * * *', command: '{{ log }}', template: true, sources: [{ kind: 'command', name: 'log', command: 'git log -1' }], cwd: project },
      mcp,
    );
    expect(sourced).toMatchObject({ ok: true, value: { approval: { requestedBy: expect.any(String) } } });
    const stepped = await core.router.call('schedules.update', { id: (plain as { value: { id: string } }).value.id, steps: [{ kind: 'shell', command: 'curl example.test' }] }, mcp);
    expect(stepped).toMatchObject({ ok: true, value: { approval: { requestedBy: expect.any(String) } } });
    const mailed = await core.router.call('schedules.create', { name: 'Mailed', kind: 'claude', cron: '0 9 * * *', command: 'hi', delivery: { email: ['x@example.test'] } }, mcp);
    expect(mailed).toMatchObject({ ok: true, value: { approval: { requestedBy: expect.any(String) } } });
    // A preview asked from outside the window never runs the command.
    const preview = await core.router.call('schedules.previewPrompt', { command: '{{ log }}', sources: [{ kind: 'command', name: 'log', command: `touch ${path.join(dir, 'ran')}` }], cwd: project }, mcp);
    expect(preview).toMatchObject({ ok: true, value: { problems: [expect.stringContaining('commands run only in a preview asked from the Switchboard window')] } });
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
  });
});
