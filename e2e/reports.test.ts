import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, type TestContext } from 'vitest';
import { lastUserText } from '../main/testing/fake-anthropic';
import { reportModel } from '../main/testing/report-model';
import { startSmtpStandIn } from '../main/testing/smtp-stand-in';
import { goToScreen, openPage, recordNotifications, useChromium, type View } from './support/browser';
import { ROOT, callApi, startServe, useFakeAnthropic, useTempHomes, type Served } from './support/serve';

// A report job through the window, in Chromium against serve and the real claude CLI (against the
// Anthropic stand-in): the editor's template sources and the prompt rendered from them; the run's file
// in the run history, downloaded with the page's token; the gap it recorded; the next prompt it left,
// edited by the user and used by the preview.
const api = useFakeAnthropic();
const temp = useTempHomes();
const chromium = useChromium();

const artifact = (name: string) => path.join(ROOT, 'e2e/artifacts', name);

/** Where a screen is looked at again after the wide light window: a phone and a wide window in dark, a phone in light. */
const OTHER_VIEWS: View[] = [
  { width: 390, height: 844, scheme: 'dark' },
  { width: 1200, height: 900, scheme: 'dark' },
  { width: 390, height: 844, scheme: 'light' },
];

/** The page's uncaught errors, kept for the end of the test; on a failure, they, the server's output and a screenshot. */
function watchPage(ctx: TestContext, page: Page, served: Served, name: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  ctx.onTestFailed(async () => {
    console.error(`page errors:\n${errors.join('\n')}\n${served.output()}`);
    await page.screenshot({ path: artifact(`${name}-failure.png`), fullPage: true });
  });
  return errors;
}

/** Nothing on the page is wider than the window (a phone would scroll sideways). */
async function noSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
}

describe('reports in Chromium: template sources, a run’s files, its problems and next prompt', { timeout: 240_000 }, () => {
  it('builds a template job in the editor with a preview, runs it, downloads its file, and edits the next prompt', async (ctx) => {
    const { home, data, env } = temp.claudeHome(api.url);
    const project = path.join(home, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'notes.md'), 'Sales doubled on Tuesday.');
    const served = temp.track(await startServe(data, { env: { ...env, SHELL: '/bin/bash' } }));
    await callApi(served, 'settings.set', { key: 'reports.outputDir', value: path.join(home, 'runs') });
    reportModel(api, { file: { name: 'report.csv', content: 'day,total\nmon,3\ntue,5\n' }, nextPrompt: 'Compare with last week', answer: 'The **weekly report** is attached.' });

    const context = await chromium().newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light', acceptDownloads: true });
    const page = await context.newPage();
    const pageErrors = watchPage(ctx, page, served, 'reports');
    await page.goto(served.url);
    await goToScreen(page, 'Schedules');
    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByLabel('Name').fill('Weekly report');
    await page.getByLabel('Kind').selectOption('claude');
    await page.getByLabel('Permissions').selectOption('acceptEdits');
    await page.getByLabel('Folder').fill(project);
    await page.getByText('The prompt is a template').click();
    await page.getByLabel('Prompt', { exact: true }).fill('Report for {{ values.team }} on {{ now.weekday }}. Notes: {{ notes }}. Yesterday: {{ missing_file }}. Last time: {{ next_prompt }}');

    // Two file sources: one there, one not; and a value.
    const sources = page.getByTestId('source');
    await page.getByLabel('Kind of source').selectOption('file');
    await page.getByRole('button', { name: 'Add source' }).click();
    await sources.nth(0).getByLabel('Source name').fill('notes');
    await sources.nth(0).getByLabel('File').fill('notes.md');
    await page.getByRole('button', { name: 'Add source' }).click();
    await sources.nth(1).getByLabel('Source name').fill('missing_file');
    await sources.nth(1).getByLabel('File').fill('yesterday.md');
    await page.getByLabel('New value name').fill('team');
    await page.getByRole('button', { name: 'Add value' }).click();
    await page.getByLabel('Value of team').fill('the north team');

    // The preview renders what a run now would get: the file's text, the value, each gap marked and named.
    const preview = page.getByTestId('preview-prompt');
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toMatch(/^Report for the north team on [A-Z][a-z]+day\. Notes: Sales doubled on Tuesday\.\. Yesterday: \[missing missing_file: .+\]\. Last time: \(no next prompt: the run before this one left none\)$/);
    const previewProblems = page.getByTestId('preview-problems');
    await expect.poll(() => previewProblems.locator('li').allTextContents()).toEqual([expect.stringMatching(/^missing_file: .*yesterday\.md/)]);
    const sourceValues = page.getByTestId('prompt-preview').locator('.source-values li');
    expect(await sourceValues.allTextContents()).toEqual([
      'notes Sales doubled on Tuesday.',
      expect.stringMatching(/^missing_file there is no file yesterday\.md in /),
      expect.stringMatching(/^now [A-Z][a-z]+day \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\)$/),
      // Always there: a first run's last_run and next_prompt say there is none, and are no gaps.
      'last_run (no earlier run: this is the job’s first)',
      'next_prompt (no next prompt: the run before this one left none)',
    ]);
    await page.getByTestId('source').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('reports-editor-light-1200.png') });

    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Weekly report' }).count()).toBe(1);
    const [job] = await callApi(served, 'schedules.list', {});
    expect(job).toMatchObject({ template: true, values: { team: 'the north team' }, sources: [{ kind: 'file', name: 'notes' }, { kind: 'file', name: 'missing_file' }] });

    await page.getByRole('button', { name: 'Run now' }).click();
    const run = page.getByTestId('run').first();
    await expect.poll(() => run.locator('summary').first().textContent(), { timeout: 90_000 }).toMatch(/^ok.*manual.* · 1 file/);
    const [done] = await callApi(served, 'schedules.runs', { id: job!.id, limit: 5 });
    expect(lastUserText(api.mainRequests().find((r) => lastUserText(r).startsWith('Report for'))!)).toContain('Notes: Sales doubled on Tuesday.');
    await run.locator('summary').first().click();
    await expect.poll(() => page.url()).toContain(`#/schedules/${job!.id}/runs/${done!.id}`);

    // What failed is recorded with the run, in words.
    expect(await run.getByTestId('run-problems').locator('li').allTextContents()).toEqual([expect.stringMatching(/^missing_file: .*yesterday\.md/)]);
    expect(await run.getByText('The weekly report is attached.').count()).toBe(1);

    // The file downloads from the page, with the page's token (a plain link could not carry it).
    const files = run.getByTestId('attachments');
    expect(await files.textContent()).toContain('22 B');
    const downloading = page.waitForEvent('download');
    await files.getByRole('button', { name: /report\.csv/ }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('report.csv');
    expect(fs.readFileSync((await download.path())!, 'utf8')).toBe('day,total\nmon,3\ntue,5\n');

    // The next prompt this run left: shown, edited, and what the next run (and the preview) gets.
    const next = run.getByTestId('next-prompt');
    expect(await next.locator('pre').textContent()).toBe('Compare with last week');
    await next.getByRole('button', { name: 'Edit' }).click();
    await next.getByLabel('Next prompt').fill('Only the summary this time');
    await next.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => next.locator('pre').textContent(), { timeout: 5000 }).toBe('Only the summary this time');
    const rendered = await callApi(served, 'schedules.previewPrompt', { id: job!.id, command: job!.command });
    expect(rendered.prompt).toMatch(/Last time: Only the summary this time$/);
    // Cleared, the newest run offers to write one; written, it is what the next run gets.
    await next.getByRole('button', { name: 'Edit' }).click();
    await next.getByLabel('Next prompt').fill('');
    await next.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => next.count(), { timeout: 5000 }).toBe(0);
    await run.getByRole('button', { name: 'Write the next run’s prompt' }).click();
    await next.getByLabel('Next prompt').fill('Only the summary this time');
    await next.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => next.locator('pre').textContent(), { timeout: 5000 }).toBe('Only the summary this time');
    expect(await callApi(served, 'schedules.runs', { id: job!.id, limit: 1 })).toEqual([expect.objectContaining({ nextPrompt: 'Only the summary this time' })]);
    await run.scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('reports-runs-light-1200.png'), fullPage: true });
    await context.close();

    // The same run, opened by its address, at a phone's width in dark: the file downloads there too.
    for (const view of OTHER_VIEWS) {
      const { width, scheme } = view;
      const phone = await openPage(chromium(), served.url, view, { acceptDownloads: true });
      await phone.evaluate(`location.hash = '#/schedules/${job!.id}/runs/${done!.id}'`);
      const opened = phone.getByTestId('run').first();
      await expect.poll(() => opened.getByTestId('attachments').count(), { timeout: 10_000 }).toBe(1);
      await noSidewaysScroll(phone);
      const got = phone.waitForEvent('download');
      await opened.getByTestId('attachments').getByRole('button', { name: /report\.csv/ }).click();
      expect(fs.readFileSync((await (await got).path())!, 'utf8')).toContain('tue,5');
      await phone.screenshot({ path: artifact(`reports-runs-${scheme}-${width}.png`), fullPage: true });
      // The editor with its preview at this width and theme.
      await expect.poll(() => phone.getByTestId('preview-prompt').textContent(), { timeout: 10_000 }).toContain('Only the summary this time');
      await noSidewaysScroll(phone);
      await phone.getByTestId('prompt-preview').scrollIntoViewIfNeeded();
      await phone.screenshot({ path: artifact(`reports-editor-${scheme}-${width}.png`) });
      await phone.context().close();
    }
    expect(pageErrors).toEqual([]);
  });
});

describe('Settings → Mail and Reports in Chromium', { timeout: 120_000 }, () => {
  it('sets the SMTP server and password (never shown again), sends a test mail that arrives, and shows what the server said', async () => {
    const smtp = await startSmtpStandIn({ login: { user: 'olivia', pass: 'mail-pass-e2e' } });
    try {
      const home = temp.home();
      const served = temp.track(await startServe(path.join(home, 'data')));
      const page = await (await chromium().newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' })).newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
      await page.goto(served.url);
      await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();

      // The run output folder: a relative path is refused under the field; a full one is kept.
      const reports = page.getByRole('region', { name: 'Reports' });
      await reports.getByLabel('Run output folder').fill('Reports');
      await reports.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => reports.getByRole('alert').textContent(), { timeout: 5000 }).toContain('must be a full path');
      await reports.getByLabel('Run output folder').fill(path.join(home, 'Reports'));
      await reports.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => callApi(served, 'settings.get', { key: 'reports.outputDir' }), { timeout: 5000 }).toBe(path.join(home, 'Reports'));

      const mail = page.getByRole('region', { name: 'Mail' });
      await expect.poll(() => mail.getByTestId('mail-state').textContent(), { timeout: 5000 }).toBe('Off: no server and sender set.');
      expect(await mail.getByRole('button', { name: 'Send a test mail' }).isDisabled()).toBe(true);
      const saveField = async (label: string, value: string) => {
        const form = mail.locator('form', { has: page.getByLabel(label, { exact: true }) });
        await form.getByLabel(label, { exact: true }).fill(value);
        await form.getByRole('button', { name: 'Save' }).click();
        await expect.poll(() => form.getByRole('button', { name: 'Save' }).isDisabled(), { timeout: 5000 }).toBe(true);
      };
      await saveField('SMTP server', '127.0.0.1');
      await saveField('SMTP port', String(smtp.port));
      await saveField('SMTP user', 'olivia');
      await saveField('Send mail as', 'Switchboard <bot@example.test>');
      await expect.poll(() => mail.getByTestId('mail-state').textContent()).toBe('On: sent through 127.0.0.1 as Switchboard <bot@example.test>.');
      expect(await mail.getByLabel('TLS from the start').isChecked()).toBe(false);

      // A wrong password: what the server said comes back under the form.
      const password = mail.getByLabel('SMTP password');
      await password.fill('not-it');
      await mail.getByRole('button', { name: 'Save password' }).click();
      await expect.poll(() => mail.getByText('Password saved with the other secrets.').count(), { timeout: 5000 }).toBe(1);
      await mail.getByLabel('Send a test mail to').fill('olivia@example.test');
      await mail.getByRole('button', { name: 'Send a test mail' }).click();
      await expect.poll(() => mail.getByRole('form', { name: 'Send a test mail' }).getByRole('alert').textContent(), { timeout: 15_000 }).toContain('535 Authentication credentials invalid');
      expect(smtp.mails).toHaveLength(0);

      await password.fill('mail-pass-e2e');
      await mail.getByRole('button', { name: 'Save password' }).click();
      await expect.poll(() => password.inputValue(), { timeout: 5000 }).toBe('');
      expect(await password.getAttribute('placeholder')).toBe('Stored: type to replace');
      await mail.getByRole('button', { name: 'Send a test mail' }).click();
      const result = mail.getByTestId('mail-test-result');
      await expect.poll(() => result.textContent(), { timeout: 15_000 }).toMatch(/^The server took the message for olivia@example\.test\.It said: 250 /);
      expect(smtp.mails).toEqual([expect.objectContaining({ to: ['olivia@example.test'], user: 'olivia' })]);
      expect(smtp.mails[0]!.raw).toContain('Subject: Switchboard: test message');
      // The password is never echoed: not in the page, not in the settings.
      expect(await page.content()).not.toContain('mail-pass-e2e');
      expect(JSON.stringify(await callApi(served, 'settings.list', {}))).not.toContain('mail-pass-e2e');
      await mail.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifact('settings-mail-light-1200.png') });
      await page.context().close();

      for (const view of OTHER_VIEWS) {
        const { width, scheme } = view;
        const other = await openPage(chromium(), served.url, view);
        await goToScreen(other, 'Settings');
        const card = other.getByRole('region', { name: 'Mail' });
        await expect.poll(() => card.getByLabel('SMTP password').getAttribute('placeholder'), { timeout: 5000 }).toBe('Stored: type to replace');
        expect(await card.getByLabel('SMTP server').inputValue()).toBe('127.0.0.1');
        await noSidewaysScroll(other);
        await card.getByLabel('Send a test mail to').scrollIntoViewIfNeeded();
        await other.screenshot({ path: artifact(`settings-mail-${scheme}-${width}.png`) });
        await other.context().close();
      }
      expect(pageErrors).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });
});

describe('background tasks in Chromium', { timeout: 180_000 }, () => {
  it('starts a prompt as a task from the window, shows its progress live, then its answer, its file (downloaded) and a notification', async (ctx) => {
    const { home, data, env } = temp.claudeHome(api.url);
    const served = temp.track(await startServe(data, { env }));
    await callApi(served, 'settings.set', { key: 'reports.outputDir', value: path.join(home, 'out') });
    reportModel(api, {
      file: { name: 'prs.csv', content: 'pr,title\n12,fix the login\n14,docs\n' },
      answer: { kind: 'text', text: 'Two pull requests are open: **#12** fixes the login, **#14** is docs. The table is in prs.csv.', chunks: 8, chunkDelayMs: 400 },
    });
    const context = await chromium().newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light', acceptDownloads: true, permissions: ['notifications'] });
    await recordNotifications(context);
    const page = await context.newPage();
    const pageErrors = watchPage(ctx, page, served, 'tasks');
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Tasks' }).click();
    // Wide, the form is there at once; nothing to start until there is a prompt.
    const form = page.getByRole('form', { name: 'New task' });
    expect(await form.getByRole('button', { name: 'Start in the background' }).isDisabled()).toBe(true);
    await form.getByLabel('What should Claude do?').fill('Sum up the open pull requests as a table in a file');
    await page.screenshot({ path: artifact('tasks-new-light-1200.png') });
    await form.getByRole('button', { name: 'Start in the background' }).click();
    await expect.poll(() => page.url(), { timeout: 5000 }).toMatch(/#\/tasks\/[0-9a-f-]{36}$/);
    const taskId = page.url().split('/').pop()!;
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sum up the open pull requests as a table in a file');

    // While it runs: its status and what it is writing, as it streams.
    const progress = page.getByTestId('task-progress');
    await expect.poll(() => progress.locator('pre').textContent(), { timeout: 60_000 }).toMatch(/^Two pull requests/);
    expect(await page.getByTestId('task-status').locator('.badge').textContent()).toBe('running');
    await page.screenshot({ path: artifact('tasks-running-light-1200.png') });

    // Done: the answer, the file (downloaded with the page's token), and a notification saying so.
    await expect.poll(() => page.getByTestId('task-status').locator('.badge').textContent(), { timeout: 60_000 }).toBe('done');
    expect(await progress.count()).toBe(0);
    expect(await page.getByTestId('task-result').locator('strong').allTextContents()).toEqual(['#12', '#14']);
    const files = page.getByTestId('task-files');
    expect(await files.textContent()).toBe('Filesprs.csv 34 B');
    const downloading = page.waitForEvent('download');
    await files.getByRole('button', { name: 'prs.csv' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('prs.csv');
    expect(fs.readFileSync((await download.path())!, 'utf8')).toBe('pr,title\n12,fix the login\n14,docs\n');
    await expect.poll(() => page.evaluate('window.shownNotifications'), { timeout: 5000 }).toEqual([
      { title: 'Task done: Sum up the open pull requests as a table in a file', body: expect.stringMatching(/^Two pull requests are open.* · prs\.csv$/) },
    ]);
    // The list says where it stands, and that it has a file.
    const item = page.getByRole('complementary', { name: 'Tasks' }).getByRole('button', { name: /Sum up the open pull requests/ });
    expect(await item.textContent()).toMatch(/done.*Browser.*1 file/);
    await page.screenshot({ path: artifact('tasks-done-light-1200.png') });
    await page.screenshot({ path: path.join(ROOT, 'docs/tasks.png') });

    // One that hangs is stopped from its page, and says so.
    api.respond(null);
    api.reply({ kind: 'hang', text: 'Looking at every file' });
    await page.getByRole('button', { name: 'New task' }).click();
    await form.getByLabel('What should Claude do?').fill('Read the whole repository');
    await form.getByRole('button', { name: 'Start in the background' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 5000 }).toBe('Read the whole repository');
    await expect.poll(() => page.getByTestId('task-status').locator('.badge').textContent(), { timeout: 30_000 }).toBe('running');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByTestId('task-status').locator('.badge').textContent(), { timeout: 30_000 }).toBe('interrupted');
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    await context.close();

    // A phone, and the dark theme: the list, then the task with its file.
    for (const view of OTHER_VIEWS) {
      const { width, scheme } = view;
      const phone = await openPage(chromium(), served.url, view, { acceptDownloads: true });
      await goToScreen(phone, 'Tasks');
      await phone.getByRole('complementary', { name: 'Tasks' }).getByRole('button', { name: /Sum up the open pull requests/ }).click();
      await expect.poll(() => phone.getByTestId('task-files').count(), { timeout: 10_000 }).toBe(1);
      expect(phone.url()).toContain(`#/tasks/${taskId}`);
      await noSidewaysScroll(phone);
      const got = phone.waitForEvent('download');
      await phone.getByTestId('task-files').getByRole('button', { name: 'prs.csv' }).click();
      expect(fs.readFileSync((await (await got).path())!, 'utf8')).toContain('14,docs');
      await phone.screenshot({ path: artifact(`tasks-done-${scheme}-${width}.png`) });
      if (width < 760) {
        await phone.getByRole('button', { name: '‹ Tasks' }).click();
        await phone.screenshot({ path: artifact(`tasks-list-${scheme}-${width}.png`) });
      }
      await phone.context().close();
    }
    expect(pageErrors).toEqual([]);
  });
});
