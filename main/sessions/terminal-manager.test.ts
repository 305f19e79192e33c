import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import { MARK_END, MARK_START, type TerminalInfo, type TerminalOutput } from '../../contract';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { HIGH_WATERMARK } from './terminal-manager';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Everything a viewer has seen of a terminal, by offset, as xterm.js would assemble it. */
function viewer(harness: Harness, id: string) {
  let text = '';
  let end = 0;
  harness.core.events.subscribe((name, payload) => {
    const out = payload as TerminalOutput;
    if (name !== 'terminals.output' || out.id !== id || out.offset < end) return;
    text += out.data;
    end = out.offset + out.data.length;
  });
  return () => text;
}

describe('terminals in node-pty', () => {
  it('runs a shell, takes input, resizes, replays scrollback to a late viewer, and reports the exit', async () => {
    const harness = (h = await startHarness());
    const { core } = harness;
    core.config.env!.SHELL = '/bin/bash';
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const opened = await core.terminals.open({ command: 'shell', sessionId: session.id, cols: 80, rows: 24 });
    expect(opened).toMatchObject({ cwd: session.cwd, command: 'shell', exit: null });
    const first = viewer(harness, opened.id);
    core.terminals.write(opened.id, 'echo sum-$((40+2)); pwd\r');
    await expect.poll(first, { timeout: 10_000 }).toContain('sum-42');
    expect(first()).toContain(session.cwd);

    core.terminals.resize(opened.id, 120, 40);
    core.terminals.write(opened.id, 'stty size\r');
    await expect.poll(first, { timeout: 10_000 }).toContain('40 120');

    const late = core.terminals.attach(opened.id);
    expect(late.scrollback).toContain('sum-42');
    expect(late.offset).toBe(0);

    const exited = nextEvent(core.events, 'terminals.changed', (t: TerminalInfo) => t.id === opened.id && t.exit !== null);
    core.terminals.write(opened.id, 'exit 3\r');
    expect((await exited).exit).toEqual({ code: 3, signal: 0 });
    expect(() => core.terminals.write(opened.id, 'x')).toThrow(/has ended/);
    expect(core.terminals.close(opened.id)).toBe(true);
    expect(core.terminals.list()).toEqual([]);
  });

  it('runs the real claude TUI in a folder', async () => {
    const harness = (h = await startHarness());
    const { core } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const opened = await core.terminals.open({ command: 'claude', sessionId: session.id, cols: 100, rows: 30 });
    const screen = viewer(harness, opened.id);
    // A first run in a folder asks whether to trust it: the TUI is up and drawing.
    // eslint-disable-next-line no-control-regex -- strips the TUI's ANSI escapes
    await expect.poll(() => screen().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''), { timeout: 20_000 }).toMatch(/trust|Claude Code|Welcome/i);
    expect(core.terminals.close(opened.id)).toBe(true);
  });

  it("opens claude in a session's terminal on that very session, and gives it back when the terminal ends", async () => {
    const harness = (h = await startHarness());
    const { core, turnEnded } = harness;
    const session = core.sessions.create({ permissionPolicy: 'acceptEdits', surface: 'desktop', model: 'sonnet' });
    await turnEnded(core.sessions.send(session.id, 'first here', desktopCaller).id);
    expect(core.sessions.get(session.id).pid).not.toBeNull();
    const opened = await core.terminals.open({ command: 'claude', sessionId: session.id, cols: 100, rows: 30 });
    // Read once the fork has become claude.
    const argvOf = () => fs.readFileSync(`/proc/${opened.pid}/cmdline`, 'utf8').split('\0');
    await expect.poll(() => argvOf().includes('--resume'), { timeout: 5000 }).toBe(true);
    const argv = argvOf();
    expect(argv).toEqual(expect.arrayContaining(['--resume', session.claudeSessionId, '--model', 'sonnet', '--permission-mode', 'acceptEdits']));
    // Its own process was stopped: one process per session.
    expect(core.sessions.get(session.id).pid).toBeNull();
    expect(() => core.sessions.send(session.id, 'from the window', desktopCaller)).toThrow(/open in its Terminal tab/);
    await expect(core.terminals.open({ command: 'claude', sessionId: session.id, cols: 100, rows: 30 })).rejects.toThrow(/already open in a terminal/);
    core.terminals.close(opened.id);
    await expect.poll(() => {
      try {
        core.sessions.send(session.id, 'back in the window', desktopCaller);
        return true;
      } catch {
        return false;
      }
    }, { timeout: 10_000 }).toBe(true);
  });

  it('opens a session again whose first TUI ended before any message, and its first message from the window works', async () => {
    const harness = (h = await startHarness());
    const { core, turnEnded } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const argvOf = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    for (let i = 0; i < 2; i++) {
      const opened = await core.terminals.open({ command: 'claude', sessionId: session.id, cols: 100, rows: 30 });
      // No transcript yet: the session is made with its id, not resumed ("No conversation found").
      await expect.poll(() => argvOf(opened.pid).includes('--session-id'), { timeout: 5000 }).toBe(true);
      expect(argvOf(opened.pid)).not.toContain('--resume');
      core.terminals.close(opened.id);
      await expect.poll(() => core.sessions.inTerminal(session.claudeSessionId), { timeout: 10_000 }).toBe(false);
    }
    const turn = await turnEnded(core.sessions.send(session.id, 'hello after the terminal', desktopCaller).id);
    expect(turn).toMatchObject({ status: 'done', resultText: 'echo: hello after the terminal' });
    expect(core.sessions.transcript(session.id, 100).messages.filter((m) => m.kind === 'notice')).toEqual([]);
  });

  it("stores the turns made in the session's own TUI in its conversation and search, once each, in order with the window's", { timeout: 90_000 }, async (ctx) => {
    const harness = (h = await startHarness());
    const { core, env, turnEnded } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    // Before any CLI runs (a CLI rewrites this file as it exits): past the TUI's first-run screens (their network check cannot pass here), its API key question and the folder's trust question.
    const config = path.join(env.CLAUDE_CONFIG_DIR!, '.claude.json');
    fs.mkdirSync(env.CLAUDE_CONFIG_DIR!, { recursive: true });
    const existing = fs.existsSync(config) ? (JSON.parse(fs.readFileSync(config, 'utf8')) as Record<string, unknown>) : {};
    fs.writeFileSync(config, JSON.stringify({ ...existing, hasCompletedOnboarding: true, theme: 'dark', customApiKeyResponses: { approved: [env.ANTHROPIC_API_KEY!.slice(-20)], rejected: [] }, projects: { [session.cwd]: { hasTrustDialogAccepted: true } } }));
    await turnEnded(core.sessions.send(session.id, 'first from the window', desktopCaller).id);
    const opened = await core.terminals.open({ command: 'claude', sessionId: session.id, cols: 100, rows: 30 });
    const screen = viewer(harness, opened.id);
    // eslint-disable-next-line no-control-regex -- strips the TUI's ANSI escapes
    const plain = () => screen().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    ctx.onTestFailed(() => console.error(`the TUI showed:\n${plain().slice(-3000)}`));
    await expect.poll(plain, { timeout: 20_000 }).toMatch(/for shortcuts/);
    const stored = nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'message' && p.item.message.text === 'echo: typed in the terminal', 30_000);
    core.terminals.write(opened.id, 'typed in the terminal');
    // The TUI draws text without spaces between cells: wait until it shows what was typed, then press Enter.
    await expect.poll(() => plain().replace(/\s/g, ''), { timeout: 10_000 }).toContain('typedintheterminal');
    core.terminals.write(opened.id, '\r');
    await stored;
    core.terminals.close(opened.id);
    await expect.poll(() => core.sessions.inTerminal(session.claudeSessionId), { timeout: 10_000 }).toBe(false);
    await turnEnded(core.sessions.send(session.id, 'back in the window', desktopCaller).id);
    const texts = core.sessions.transcript(session.id, 100).messages.filter((m) => m.kind === 'text').map((m) => m.text);
    expect(texts).toEqual(['first from the window', 'echo: first from the window', 'typed in the terminal', 'echo: typed in the terminal', 'back in the window', 'echo: back in the window']);
    const hits = await core.history.search('typed terminal', { sessionId: session.id }, 10);
    expect(hits.hits.map((hit) => hit.snippet.split(MARK_START).join('').split(MARK_END).join(''))).toEqual(expect.arrayContaining(['typed in the terminal']));
  });

  it('names the permission mode in every start of the CLI: an Ask session’s stream-json process, its TUI, and a claude opened in a folder', async () => {
    const harness = (h = await startHarness());
    const { core, turnEnded } = harness;
    const argvOf = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const modeOf = (argv: string[]) => (argv.includes('--permission-mode') ? argv[argv.indexOf('--permission-mode') + 1] : null);
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'hello', desktopCaller).id);
    expect(modeOf(argvOf(core.sessions.get(session.id).pid!))).toBe('default');

    // The pinned CLI starts an interactive session in "auto" without the flag: the TUI gets the session's mode.
    const tui = await core.terminals.open({ command: 'claude', sessionId: session.id, cols: 100, rows: 30 });
    await expect.poll(() => argvOf(tui.pid).includes('--resume'), { timeout: 5000 }).toBe(true);
    expect(modeOf(argvOf(tui.pid))).toBe('default');
    core.terminals.close(tui.id);

    const plain = await core.terminals.open({ command: 'claude', cwd: harness.dir, cols: 100, rows: 30 });
    await expect.poll(() => argvOf(plain.pid).includes('--permission-mode'), { timeout: 5000 }).toBe(true);
    expect(modeOf(argvOf(plain.pid))).toBe('default');
    core.terminals.close(plain.id);
  });

  it('refuses a folder that does not exist', async () => {
    const { core } = (h = await startHarness());
    await expect(core.terminals.open({ command: 'shell', cwd: '/no/such/dir', cols: 80, rows: 24 })).rejects.toThrow(/cwd: \/no\/such\/dir is not a folder/);
  });
});

describe('terminal flow control', () => {
  /** Characters a terminal has sent out so far. */
  function counter(harness: Harness, id: string) {
    let end = 0;
    harness.core.events.subscribe((name, payload) => {
      const out = payload as TerminalOutput;
      if (name === 'terminals.output' && out.id === id) end = out.offset + out.data.length;
    });
    return () => end;
  }

  it('pauses a flooding program while its only viewer lags, and resumes it when the viewer catches up', async () => {
    const harness = (h = await startHarness());
    const { core } = harness;
    core.config.env!.SHELL = '/bin/bash';
    const opened = await core.terminals.open({ command: 'shell', cwd: harness.dir, cols: 80, rows: 24 });
    const sent = counter(harness, opened.id);
    const { viewer: viewerId } = core.terminals.attach(opened.id);
    core.terminals.write(opened.id, "head -c 8000000 /dev/zero | tr '\\0' x; echo; echo flood-$((2*2))-done\r");
    await expect.poll(() => core.terminals.paused(opened.id), { timeout: 10_000 }).toBe(true);
    const atPause = sent();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Paused: only what was already on its way arrived, far from the 8 MB the program wants to print.
    expect(sent() - atPause).toBeLessThan(256 * 1024);
    expect(sent()).toBeLessThan(HIGH_WATERMARK + 512 * 1024);
    // The viewer shows it all: output flows again, up to the next watermark.
    core.terminals.ack(opened.id, viewerId, sent());
    await expect.poll(() => sent(), { timeout: 5000 }).toBeGreaterThan(atPause + HIGH_WATERMARK / 2);
    // A viewer that goes away no longer holds it back.
    core.terminals.detach(opened.id, viewerId);
    expect(core.terminals.paused(opened.id)).toBe(false);
    const screen = viewer(harness, opened.id);
    await expect.poll(() => screen().slice(-200), { timeout: 30_000 }).toContain('flood-4-done');
  }, 60_000);

  it('keeps a bounded scrollback that a late viewer gets with its right offset', async () => {
    const harness = (h = await startHarness());
    const { core } = harness;
    core.config.env!.SHELL = '/bin/bash';
    const opened = await core.terminals.open({ command: 'shell', cwd: harness.dir, cols: 80, rows: 24 });
    const sent = counter(harness, opened.id);
    const screen = viewer(harness, opened.id);
    core.terminals.write(opened.id, "head -c 5000000 /dev/zero | tr '\\0' y; echo; echo ring-$((1+1))-end\r");
    // Watched through the events: an attach would add a viewer, and the pty would wait for it.
    await expect.poll(() => screen().slice(-200), { timeout: 30_000 }).toContain('ring-2-end');
    const late = core.terminals.attach(opened.id);
    expect(late.scrollback.length).toBe(1024 * 1024);
    expect(late.offset + late.scrollback.length).toBe(sent());
  }, 60_000);
});
