import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { recordNotifications, useChromium } from './support/browser';
import { ROOT, SERVE_JS, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const chromium = useChromium();
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await temp.cleanup();
});

describe('the Schedules screen in Chromium', () => {
  it('creates a job in the editor, shows its next runs in words and dates, runs it now, and lists the run', async () => {
    const served = temp.track(await startServe(path.join(temp.home(), 'data'), { env: { SHELL: '/bin/bash' } }));
    const context = await chromium().newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'dark', timezoneId: 'Europe/Berlin', permissions: ['notifications'] });
    await recordNotifications(context);
    const page = await context.newPage();
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Schedules' }).click();
    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByLabel('Name').fill('nightly check');
    await page.getByLabel('Command').fill('echo "checked $((20+22)) files in $AREA"');
    // The job's environment, as NAME=value lines; a line that is not one stops the save and says which.
    await page.getByLabel('Environment').fill('AREA=the attic\nnot a pair');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'line 2' }).count()).toBe(1);
    await page.getByLabel('Environment').fill('AREA=the attic');

    // A bad expression is named inline, by the runner's rules.
    await page.getByLabel('Schedule (cron)').fill('0 25 * * *');
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 5000 }).toBe('hour: 25 is outside 0-23');
    // A half-typed zone is named beside a bad expression, and a timeout that is not a number stops the save.
    await page.getByLabel('Time zone').fill('Europe/Berl');
    await expect.poll(() => page.getByRole('alert').allTextContents(), { timeout: 5000 }).toContain('Europe/Berl is not a time zone this browser knows (e.g. Europe/Berlin)');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByLabel('Timeout (s)').fill('abc');
    await expect.poll(() => page.getByRole('alert').allTextContents()).toContain('a whole number of seconds');
    expect(await page.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true);
    await page.getByLabel('Timeout (s)').fill('600');

    // The next runs move on by themselves once the first has passed (every 2 seconds here).
    await page.getByLabel('Schedule (cron)').fill('*/2 * * * * *');
    const firstRun = () => page.getByTestId('next-runs').locator('li').first().getAttribute('data-at').then(Number);
    await expect.poll(firstRun, { timeout: 5000 }).toBeGreaterThan(0);
    const before = await firstRun();
    await expect.poll(firstRun, { timeout: 6000 }).toBeGreaterThan(before);
    expect(await firstRun()).toBeGreaterThan(Date.now() - 1500);

    await page.getByLabel('Presets').selectOption({ label: 'Weekdays at 09:00' });
    await page.getByLabel('Time zone').fill('America/New_York');
    await expect.poll(() => page.getByTestId('cron-words').textContent()).toBe('At 09:00, Monday through Friday');
    const next = page.getByTestId('next-runs');
    await expect.poll(() => next.textContent(), { timeout: 5000 }).toContain('America/New_York');
    await expect.poll(() => next.locator('li').allTextContents(), { timeout: 5000 }).toEqual(Array.from({ length: 5 }, () => expect.stringMatching(/9:00|09:00/)));

    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'nightly check' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Run now' }).click();
    const run = page.getByTestId('run').first();
    await expect.poll(() => run.textContent(), { timeout: 10_000 }).toMatch(/^ok.*manual/);
    await run.locator('summary').click();
    expect(await run.locator('pre').textContent()).toContain('checked 42 files in the attic');
    // An opened run has its address: a reload comes back to it.
    await expect.poll(() => page.url()).toMatch(/#\/schedules\/[^/]+\/runs\/[^/]+$/);
    // Headless, the job's desktop delivery reaches the browser window as a notification.
    const shown = () => page.evaluate('window.shownNotifications');
    await expect.poll(shown, { timeout: 5000 }).toEqual([{ title: 'nightly check: done', body: 'checked 42 files in the attic' }]);
    await page.screenshot({ path: path.join(ROOT, 'docs/schedules.png') });
    await page.context().close();
  });

  it('shows a shell job made over MCP as waiting for your approval: it cannot run until allowed there', async () => {
    const home = path.join(temp.home(), 'data');
    const served = temp.track(await startServe(home, { env: { SHELL: '/bin/bash' } }));
    await expect.poll(() => served.output()).toContain(`MCP: http://127.0.0.1:${served.port}/mcp`);
    // An MCP client (here through `switchboard mcp`, as a stdio-only client would) makes a shell job.
    const client = new Client({ name: 'helpful-agent', version: '1' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVE_JS, 'mcp'], env: { PATH: process.env.PATH ?? '', SWITCHBOARD_HOME: home, SWITCHBOARD_PORT: String(served.port) }, stderr: 'ignore' }));
    clients.push(client);
    const made = await client.callTool({ name: 'create_job', arguments: { name: 'tidy up', kind: 'shell', cron: '0 3 * * *', command: 'echo tidied', delivery: { email: ['someone@example.com'] } } });
    expect(made.structuredContent).toMatchObject({ waitingForApproval: true });

    const page = await (await chromium().newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Schedules' }).click();
    const item = page.getByRole('complementary', { name: 'Jobs' }).getByRole('button', { name: /tidy up/ });
    await expect.poll(() => item.textContent(), { timeout: 5000 }).toContain('Waiting for your approval');
    await item.click();
    await expect.poll(() => page.getByTestId('job-waiting').textContent(), { timeout: 5000 }).toContain('Waiting for your approval: made or changed by the MCP client “helpful-agent”');
    const card = page.getByTestId('job-approval');
    expect(await card.textContent()).toContain('echo tidied');
    // What else it does is on the card too: where its result and files are mailed.
    expect(await card.textContent()).toContain('Mails its result and files to someone@example.com');
    await card.screenshot({ path: path.join(ROOT, 'e2e/artifacts/job-approval-mcp-1200.png') });
    expect(await page.getByRole('button', { name: 'Run now' }).isDisabled()).toBe(true);

    await card.getByRole('button', { name: 'Allow the job' }).click();
    await expect.poll(() => page.getByTestId('job-waiting').count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => item.textContent()).not.toContain('Waiting for your approval');
    await page.getByRole('button', { name: 'Run now' }).click();
    await expect.poll(() => page.getByTestId('run').first().textContent(), { timeout: 10_000 }).toMatch(/^ok.*manual/);
    await page.context().close();
  });

  it('offers browser notifications in Settings until they are allowed', async () => {
    const served = temp.track(await startServe(path.join(temp.home(), 'data')));
    const page = await (await chromium().newContext()).newPage();
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    const card = page.getByRole('region', { name: 'Notifications in this browser' });
    await expect.poll(() => card.getByRole('button', { name: 'Allow notifications' }).count(), { timeout: 5000 }).toBe(1);
    await page.context().grantPermissions(['notifications']);
    await page.reload();
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => card.textContent(), { timeout: 5000 }).toContain('On:');
    await page.context().close();
  });
});
