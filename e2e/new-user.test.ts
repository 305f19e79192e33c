import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { money } from '../contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claudeEnv } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { useChromium } from './support/browser';
import { ROOT, startServe, tempHomes, type Served } from './support/serve';

// What a new user hit, each as it looked to them: in Chromium, against serve, with the real CLI.
const api = new FakeAnthropic();
const temp = tempHomes();
const chromium = useChromium();
const ARTIFACTS = path.join(import.meta.dirname, 'artifacts');
beforeAll(async () => {
  await api.start();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(() => api.stop());
afterEach(() => temp.cleanup());

async function serve(dataDir?: string): Promise<{ served: Served; data: string; env: NodeJS.ProcessEnv }> {
  const home = dataDir ? path.dirname(dataDir) : temp.home();
  const claudeHome = path.join(home, 'claude-home');
  fs.mkdirSync(claudeHome, { recursive: true });
  const data = dataDir ?? path.join(home, 'data');
  const env = claudeEnv(api.url, claudeHome);
  return { served: temp.track(await startServe(data, { env })), data, env };
}

async function open(served: Served, options: { width?: number; height?: number; scheme?: 'light' | 'dark'; hash?: string } = {}): Promise<Page> {
  const context = await chromium().newContext({ viewport: { width: options.width ?? 1200, height: options.height ?? 800 }, colorScheme: options.scheme ?? 'light' });
  const page = await context.newPage();
  await page.goto(served.url);
  await page.getByRole('navigation').waitFor();
  if (options.hash) await page.goto(`${served.base}/${options.hash}`);
  return page;
}

/** Creates a session through the API (the dialog has its own test) and returns its id. */
/** Elements that reach past the window's right edge, outside what scrolls sideways on purpose (code, tables, terminals). */
const BEYOND_RIGHT_EDGE = `[...document.querySelectorAll('main *')].filter((e) => {
  const box = e.getBoundingClientRect();
  return box.width > 0 && box.right > document.documentElement.clientWidth + 1 && !e.closest('pre, table, .xterm');
}).map((e) => e.tagName.toLowerCase() + (e.getAttribute('aria-label') ? '[' + e.getAttribute('aria-label') + ']' : ''))`;

async function session(served: Served, title: string): Promise<string> {
  const res = await fetch(`${served.base}/api/sessions.create`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify({ title }) });
  return ((await res.json()) as { value: { id: string } }).value.id;
}

async function send(served: Served, id: string, text: string): Promise<void> {
  await fetch(`${served.base}/api/sessions.send`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify({ id, text }) });
}

/** WCAG contrast of two rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('what a new user hit', () => {
  it('keeps the app usable while a job’s time zone is cleared or half typed, and names the field', async () => {
    const { served } = await serve();
    const page = await open(served, { hash: '#/schedules/new' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByLabel('Name').fill('nightly');
    for (const zone of ['', 'E', 'Europe/Be']) {
      await page.getByLabel('Time zone').fill(zone);
      await expect.poll(() => page.getByRole('alert').filter({ hasText: zone ? 'is not a time zone' : 'must not be empty' }).count()).toBe(1);
      expect(await page.getByTestId('screen-error').count()).toBe(0);
    }
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await expect.poll(() => page.getByTestId('next-runs').textContent()).toContain('Europe/Berlin');
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByLabel('Schedule').first().fill('61 9 * * *');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('minute: 61 is outside 0-59');
    // The name typed before all this is still there, and navigation works.
    expect(await page.getByLabel('Name').inputValue()).toBe('nightly');
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Settings' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('shows a failing screen’s error with an id and a way back, the rest of the app working', async () => {
    const { served, data } = await serve();
    const page = await open(served, { hash: '#/settings' });
    // A screen whose data makes it throw while drawing: simulated by a renderer hook the test sets.
    await page.evaluate("window.__switchboardBreak = 'settings'");
    await page.getByRole('navigation').getByRole('button', { name: 'Memory' }).click();
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    const failure = page.getByTestId('screen-error');
    await expect.poll(() => failure.textContent()).toMatch(/Error [A-Z0-9]{8}: the log has the details/);
    const id = /Error ([A-Z0-9]{8})/.exec((await failure.textContent())!)![1]!;
    expect(fs.readFileSync(path.join(data, 'logs', 'switchboard.log'), 'utf8')).toContain(id);
    await page.evaluate('window.__switchboardBreak = null');
    await failure.getByRole('button', { name: 'Go to Sessions' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'New session' }).count()).toBe(1);
  });

  it('keeps queued messages in conversation order, after a reload too, and shows a reply streamed before the page opened', async () => {
    const { served } = await serve();
    const id = await session(served, 'queue order');
    api.reply({ kind: 'text', text: 'A1 arrives slowly, word by word, until it is done.', chunks: 10, chunkDelayMs: 150 });
    await send(served, id, 'Q1');
    await send(served, id, 'Q2');
    await send(served, id, 'Q3');
    // Opened mid-turn: everything streamed so far, not the middle of a sentence.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const page = await open(served, { hash: `#/sessions/${id}` });
    await expect.poll(() => page.getByTestId('streaming').textContent(), { timeout: 10_000 }).toMatch(/^A1 arrives/);
    expect(await page.getByTestId('queued-message').allTextContents()).toEqual([expect.stringContaining('Q2'), expect.stringContaining('Q3')]);
    const order = async () => (await page.getByTestId('transcript').locator('[data-testid=user-message] .msg-body, [data-testid=assistant-message]').allTextContents()).map((t) => t.trim());
    await expect.poll(order, { timeout: 20_000 }).toEqual(['Q1', 'A1 arrives slowly, word by word, until it is done.', 'Q2', 'echo: Q2', 'Q3', 'echo: Q3']);
    await page.reload();
    await expect.poll(order, { timeout: 10_000 }).toEqual(['Q1', 'A1 arrives slowly, word by word, until it is done.', 'Q2', 'echo: Q2', 'Q3', 'echo: Q3']);
    await page.getByRole('navigation').getByRole('button', { name: 'Chats' }).click();
    // Started without a folder: listed under that, not under its own folder's id.
    await expect.poll(() => page.locator('.conversation-groups summary').allTextContents()).toEqual(['No project folder']);
    await page.getByRole('button', { name: /queue order/ }).click();
    await expect.poll(async () => (await page.getByTestId('chat-transcript').textContent()) ?? '').toMatch(/Q1.*A1 arrives.*Q2.*echo: Q2.*Q3.*echo: Q3/s);
  });

  it('charges a resumed session’s turn what the API charged for it, after a server restart', async () => {
    const first = await serve();
    const id = await session(first.served, 'costs');
    const page = await open(first.served, { hash: `#/sessions/${id}` });
    for (const text of ['one', 'two']) {
      await page.getByLabel('Message').fill(text);
      await page.getByLabel('Message').press('Enter');
      await expect.poll(() => page.getByTestId('turn-footer').count(), { timeout: 20_000 }).toBe(text === 'one' ? 1 : 2);
    }
    const cost = async () => (await page.getByTestId('turn-footer').allTextContents()).map((t) => /\$(\d+\.\d+)/.exec(t)?.[1]);
    // A turn's cost is what Usage counted from its transcript, a moment after the turn ends.
    await expect.poll(async () => (await cost()).every(Boolean), { timeout: 20_000 }).toBe(true);
    const [c1, c2] = await cost();
    await first.served.stop();
    const again = await serve(first.data);
    const page2 = await open(again.served, { hash: `#/sessions/${id}` });
    await page2.getByLabel('Message').fill('three');
    await page2.getByLabel('Message').press('Enter');
    await expect.poll(() => page2.getByTestId('turn-footer').count(), { timeout: 20_000 }).toBe(3);
    const costs = async () => (await page2.getByTestId('turn-footer').allTextContents()).map((t) => /\$(\d+\.\d+)/.exec(t)?.[1]);
    // The stand-in charges every turn alike: the resumed turn costs what each earlier one did, not the
    // session's total so far. (A figure read while the transcript was still being written may have grown since.)
    expect(c1).toBe(c2);
    await expect.poll(async () => new Set(await costs()).size === 1 && (await costs()).length === 3 && (await costs()).every(Boolean), { timeout: 60_000 }).toBe(true);
    // One source: the header is the session's cost, which is its turns' costs added up.
    const read = async (method: string, input: object) => ((await (await fetch(`${again.served.base}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${again.served.token}` }, body: JSON.stringify(input) })).json()) as { value: never }).value;
    const { session: summary, turns } = (await read('sessions.transcript', { id })) as { session: { costUsd: number }; turns: { costUsd: number | null }[] };
    expect(summary.costUsd).toBeCloseTo(turns.reduce((sum, t) => sum + (t.costUsd ?? 0), 0), 10);
    const figure = money(summary.costUsd).replace(/[$.]/g, (c) => `\\${c}`);
    await expect.poll(() => page2.locator('main').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`· ${figure}(?!\\d)`));
  }, 150_000);

  it('reads code at 4.5:1 or better in the light and the dark theme, with a copy button and table borders', async () => {
    const { served } = await serve();
    const id = await session(served, 'code');
    api.reply({ kind: 'text', text: 'Here:\n\n```ts\n// a comment\nconst answer: number = 42;\nfunction greet(name: string) {\n  return `hi ${name}`;\n}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |' });
    await send(served, id, 'show me code');
    for (const scheme of ['light', 'dark'] as const) {
      const page = await open(served, { hash: `#/sessions/${id}`, scheme });
      await expect.poll(() => page.locator('.markdown pre code .hljs-keyword').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      // Every coloured piece of code, against the background a reader sees: the translucent code
      // background composed over the page's, as the browser paints it.
      const { colors, seen } = (await page.evaluate(`(() => {
        const pre = document.querySelector('.markdown pre');
        const colors = [...pre.querySelectorAll('span, code')].map((s) => getComputedStyle(s).color);
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 1;
        const ctx = canvas.getContext('2d');
        const stack = [];
        for (let el = pre; el; el = el.parentElement) stack.unshift(getComputedStyle(el).backgroundColor);
        for (const c of stack) { ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1); }
        const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
        return { colors, seen: 'rgb(' + r + ', ' + g + ', ' + b + ')' };
      })()`)) as { colors: string[]; seen: string };
      const worst = Math.min(...colors.map((c) => contrast(c, seen)));
      expect(worst, `${scheme}: lowest code contrast`).toBeGreaterThanOrEqual(4.5);
      expect(await page.getByRole('button', { name: 'Copy code' }).count()).toBe(1);
      expect(await page.evaluate("getComputedStyle(document.querySelector('.markdown td')).borderTopStyle")).toBe('solid');
      await page.screenshot({ path: path.join(ARTIFACTS, `code-${scheme}.png`) });
      await page.context().close();
    }
  });

  it('works on a 390 px phone: navigation folds away, list then detail, and Send is on screen', async () => {
    const { served } = await serve();
    const id = await session(served, 'from my phone');
    for (const scheme of ['light', 'dark'] as const) {
      const page = await open(served, { width: 390, height: 844, scheme });
      // The list first, the navigation behind a menu.
      expect(await page.getByRole('navigation').getByRole('button', { name: 'Chats' }).isVisible()).toBe(false);
      await page.getByRole('button', { name: /from my phone/ }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'from my phone' }).isVisible()).toBe(true);
      const sendButton = page.getByRole('button', { name: 'Send', exact: true });
      await page.getByLabel('Message').fill(`hello from ${scheme}`);
      const box = (await sendButton.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      expect(box.y + box.height).toBeLessThanOrEqual(844);
      await sendButton.click();
      await expect.poll(() => page.getByTestId('assistant-message').last().textContent(), { timeout: 20_000 }).toBe(`echo: hello from ${scheme}`);
      await page.screenshot({ path: path.join(ARTIFACTS, `phone-session-${scheme}.png`) });
      // The keyboard open (the page resized to what is left above it): the conversation keeps most of the room.
      await page.setViewportSize({ width: 390, height: 420 });
      const transcript = (await page.getByTestId('assistant-message').last().locator('xpath=ancestor::*[contains(@class,"transcript")][1]').boundingBox())!;
      expect(transcript.height).toBeGreaterThan(180);
      expect((await sendButton.boundingBox())!.y).toBeLessThan(420);
      await page.screenshot({ path: path.join(ARTIFACTS, `phone-keyboard-${scheme}.png`) });
      await page.setViewportSize({ width: 390, height: 844 });
      if (scheme === 'light') await page.screenshot({ path: path.join(ROOT, 'docs/phone.png') });
      await page.getByRole('button', { name: '‹ Sessions' }).click();
      await expect.poll(() => page.getByRole('button', { name: /from my phone/ }).isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation').getByRole('button', { name: 'Schedules' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'New job' }).isVisible()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `phone-schedules-${scheme}.png`) });
      // A new session from the phone: the dialog opens over the list (it was hidden with the detail pane).
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation').getByRole('button', { name: 'Sessions' }).click();
      await page.getByRole('button', { name: 'New session' }).click();
      await expect.poll(() => page.getByRole('dialog').isVisible()).toBe(true);
      await page.getByLabel('Title').fill(`started on the phone, ${scheme}`);
      await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
      await expect.poll(() => page.getByRole('heading', { name: `started on the phone, ${scheme}` }).isVisible()).toBe(true);
      // No screen is wider than the phone (the Memory form's row was, and the page slid sideways).
      const screens = {
        Inbox: page.getByRole('tab', { name: 'Needs you' }),
        Chats: page.getByLabel('Search conversations'),
        Memory: page.getByLabel('New memory'),
        Schedules: page.getByRole('button', { name: 'New job' }),
        Tasks: page.getByRole('button', { name: 'New task' }),
        Usage: page.getByTestId('today-cost'),
        Settings: page.getByRole('region', { name: 'Voice notes' }),
      };
      for (const [name, shown] of Object.entries(screens)) {
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('navigation').getByRole('button', { name }).click();
        await shown.waitFor();
        expect(await page.evaluate(BEYOND_RIGHT_EDGE), `${name} fits 390 px`).toEqual([]);
      }
      await page.context().close();
    }
    expect(id).toBeTruthy();
  });

  it('says the same of every address that names nothing, with the way back, at desk and phone width', async () => {
    const { served } = await serve();
    const id = await session(served, 'a real one');
    for (const width of [1200, 390]) {
      const page = await open(served, { width, scheme: width > 500 ? 'light' : 'dark' });
      for (const [hash, what, back] of [
        ['#/sessions/bogus', 'The session “bogus”', 'Sessions'],
        ['#/schedules/bogus', 'The job “bogus”', 'Schedules'],
        ['#/chats/bogus/999', 'The conversation “bogus”', 'Chats'],
        ['#/tasks/bogus', 'The task “bogus”', 'Tasks'],
      ] as const) {
        await page.goto(`${served.base}/${hash}`);
        const notFound = page.getByTestId('not-found');
        await expect.poll(() => notFound.isVisible(), { timeout: 10_000 }).toBe(true);
        expect(await notFound.textContent()).toContain(`${what} is not here`);
        // Not a blank editor in its place (a bad job address opened New job).
        expect(await page.getByRole('heading', { name: 'New job' }).count()).toBe(0);
        await page.screenshot({ path: path.join(ARTIFACTS, `not-found-${back.toLowerCase()}-${width}.png`) });
        await notFound.getByRole('button', { name: `Back to ${back}` }).click();
        await expect.poll(() => page.url()).not.toContain('bogus');
        expect(await page.getByTestId('not-found').count()).toBe(0);
      }
      // No error stays behind: a real session opens clean.
      await page.goto(`${served.base}/#/sessions/${id}`);
      await expect.poll(() => page.getByRole('heading', { name: 'a real one' }).isVisible()).toBe(true);
      expect(await page.getByRole('alert').count()).toBe(0);
      await page.context().close();
    }
  });

  it("answers Claude's question in one click and approves its plan, the answers reaching Claude", async () => {
    const { served } = await serve();
    const id = await session(served, 'asks back');
    const page = await open(served, { hash: `#/sessions/${id}` });
    const questions = [{ question: 'Which package manager?', header: 'Tooling', multiSelect: false, options: [{ label: 'pnpm', description: 'fast, strict' }, { label: 'npm', description: 'the default' }] }];
    api.reply({ kind: 'tool', name: 'AskUserQuestion', input: { questions } }, { kind: 'text', text: 'pnpm it is.' });
    await page.getByLabel('Message').fill('set the project up');
    await page.getByLabel('Message').press('Enter');
    const card = page.getByTestId('claude-question');
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'question-light.png') });
    await card.getByRole('button', { name: /pnpm/ }).click();
    await expect.poll(() => page.getByTestId('assistant-message').last().textContent(), { timeout: 20_000 }).toBe('pnpm it is.');
    expect(JSON.stringify(api.mainRequests().at(-1)!.body.messages!.at(-1))).toContain('pnpm');

    // Plan approval comes in plan mode: switched from the header, for this running session.
    await page.getByLabel('Permissions').selectOption('plan');
    await expect.poll(() => page.getByLabel('Permissions').inputValue()).toBe('plan');
    api.reply({ kind: 'tool', name: 'ExitPlanMode', input: { plan: '1. Add **pnpm**\n2. Write the lockfile' } }, { kind: 'text', text: 'Plan approved, starting.' });
    await page.getByLabel('Message').fill('plan it first');
    await page.getByLabel('Message').press('Enter');
    const plan = page.getByTestId('plan-approval');
    await expect.poll(() => plan.count(), { timeout: 20_000 }).toBe(1);
    expect(await plan.locator('.plan strong').textContent()).toBe('pnpm');
    await plan.getByRole('button', { name: 'Approve the plan' }).click();
    await expect.poll(() => page.getByTestId('assistant-message').last().textContent(), { timeout: 20_000 }).toBe('Plan approved, starting.');
    // Plan mode is over: the session's stored mode follows.
    await expect.poll(() => page.getByLabel('Permissions').inputValue()).toBe('ask');
  });

  it('keeps an address the user went to when a list arriving meanwhile would open its newest entry', async () => {
    const { served } = await serve();
    const page = await open(served, { hash: '#/sessions' });
    // An address the window has not acted on yet (pushState fires no hashchange): a link, Back, a typed address.
    await page.evaluate(`history.pushState(null, '', '#/memory')`);
    await session(served, 'arrives meanwhile');
    await expect.poll(() => page.getByRole('button', { name: /arrives meanwhile/ }).count(), { timeout: 10_000 }).toBe(1);
    // The list's effects have run once a frame has passed.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))');
    expect(new URL(page.url()).hash).toBe('#/memory');
    await page.context().close();
  });

  it('opens a session from its address, and Back and Forward move between screens', async () => {
    const { served } = await serve();
    const a = await session(served, 'first one');
    const b = await session(served, 'second one');
    const page = await open(served, { hash: `#/sessions/${a}` });
    await expect.poll(() => page.getByRole('heading', { name: 'first one' }).count(), { timeout: 20_000 }).toBe(1);
    await page.getByRole('button', { name: /second one/ }).click();
    await expect.poll(() => page.url(), { timeout: 5000 }).toContain(`#/sessions/${b}`);
    await page.getByRole('navigation').getByRole('button', { name: 'Memory' }).click();
    await expect.poll(() => page.url(), { timeout: 5000 }).toContain('#/memory');
    await page.goBack();
    await expect.poll(() => page.getByRole('heading', { name: 'second one' }).count(), { timeout: 5000 }).toBe(1);
    await page.goBack();
    await expect.poll(() => page.getByRole('heading', { name: 'first one' }).count(), { timeout: 5000 }).toBe(1);
    await page.goForward();
    await expect.poll(() => page.getByRole('heading', { name: 'second one' }).count(), { timeout: 5000 }).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'second one' }).count(), { timeout: 5000 }).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'desktop-session-light.png') });
  });

  it('keeps a long code line scrolling inside the pane at desk width: Send, Reset and Delete stay on screen, after a reload too', async () => {
    const { served } = await serve();
    const id = await session(served, 'long code');
    const line = `const result = await someService.doSomethingVeryLong(firstArgument, secondArgument, thirdArgument, 42);`;
    api.reply({ kind: 'text', text: `Here:\n\n\`\`\`ts\n${line}\n${line}\n\`\`\`\n` });
    await send(served, id, 'show code');
    const page = await open(served, { width: 1200, hash: `#/sessions/${id}` });
    for (const round of ['first', 'reload']) {
      await expect.poll(() => page.locator('.markdown pre').count(), { timeout: 20_000 }).toBe(1);
      const pre = await page.locator('.markdown pre').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
      expect(pre.scroll, round).toBeGreaterThan(pre.client);
      for (const name of ['Send', 'Reset', 'Delete']) {
        const box = (await page.getByRole('button', { name, exact: true }).boundingBox())!;
        expect(box.x + box.width, `${name} (${round})`).toBeLessThanOrEqual(1200);
      }
      expect(await page.evaluate(BEYOND_RIGHT_EDGE)).toEqual([]);
      if (round === 'first') await page.reload();
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'long-code-desk.png') });
  });

  it('shows a turn done with its reply when its question was answered elsewhere while the window showed the Inbox', async () => {
    const { served } = await serve();
    const id = await session(served, 'answered elsewhere');
    api.reply({ kind: 'tool', name: 'Write', input: { file_path: 'from-phone.txt', content: 'hi' } }, { kind: 'text', text: 'Wrote it, as asked.' });
    const page = await open(served, { hash: `#/sessions/${id}` });
    await send(served, id, 'write a file');
    await expect.poll(() => page.getByTestId('approval').count(), { timeout: 20_000 }).toBe(1);
    await page.getByRole('navigation').getByRole('button', { name: 'Inbox' }).click();
    await expect.poll(() => page.url()).toContain('#/inbox');
    // The phone answers.
    const call = async <T,>(method: string, body: unknown) =>
      ((await (await fetch(`${served.base}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify(body) })).json()) as { value: T }).value;
    const [pending] = await call<{ id: string }[]>('approvals.list', {});
    await call('approvals.answer', { id: pending!.id, decision: 'once' });
    await expect
      .poll(async () => (await call<{ turns: { status: string }[] }>('sessions.transcript', { id })).turns.map((t) => t.status), { timeout: 20_000 })
      .toEqual(['done']);
    // Back to the session, as the browser's Back button goes (the same session, still selected).
    await page.goBack();
    await expect.poll(() => page.url()).toContain(`#/sessions/${id}`);
    await expect.poll(() => page.getByText('Wrote it, as asked.').count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => page.getByTestId('tool-call').textContent()).toContain('done');
    expect(await page.getByTestId('turn-footer').textContent()).toContain('done');
    expect(await page.getByTestId('approval').count()).toBe(0);
  });

  it('lays checkboxes out with their words beside them and shows whole select options, at phone and desk width', async () => {
    const { served } = await serve();
    for (const width of [390, 1200]) {
      const page = await open(served, { width, scheme: width === 390 ? 'dark' : 'light', hash: '#/schedules/new' });
      await page.getByLabel('Kind').selectOption('claude');
      await page.getByLabel('Permissions').waitFor();
      const template = page.getByRole('checkbox', { name: /The prompt is a template/ });
      const words = page.locator('label.check', { has: template }).locator('span');
      const [box, text] = [(await template.boundingBox())!, (await words.boundingBox())!];
      // The box first, then the words on as few lines as the width allows (not one word a line).
      expect(box.x).toBeLessThan(text.x);
      expect(text.height, `${width}`).toBeLessThan(width === 390 ? 80 : 30);
      // The Permissions select is as wide as its longest option, within the form.
      const select = (await page.evaluate(`(() => {
        const e = document.querySelector('#job-permissions');
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(e).font;
        probe.textContent = [...e.options].map((o) => o.text).sort((a, b) => b.length - a.length)[0];
        document.body.append(probe);
        const need = probe.getBoundingClientRect().width;
        probe.remove();
        return { need, have: e.clientWidth };
      })()`)) as { need: number; have: number };
      expect(select.have, `${width}`).toBeGreaterThan(select.need);
      await page.screenshot({ path: path.join(ARTIFACTS, `job-editor-${width}.png`), fullPage: true });
      // New session: the Own worktree box sits on its words' first line, at their left.
      await page.goto(`${served.base}/#/sessions`);
      await page.getByRole('button', { name: 'New session' }).click();
      const own = page.getByRole('dialog').getByRole('checkbox');
      const ownWords = page.getByRole('dialog').locator('label.check span').first();
      const [a, b] = [(await own.boundingBox())!, (await ownWords.boundingBox())!];
      expect(a.x).toBeLessThan(b.x);
      expect(Math.abs(a.y + a.height / 2 - (b.y + 12))).toBeLessThan(12);
      await page.screenshot({ path: path.join(ARTIFACTS, `new-session-${width}.png`) });
      await page.context().close();
    }
  });
});
