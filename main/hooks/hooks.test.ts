import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromTerminal } from '../../contract';
import { desktopCaller } from '../ipc/router';
import { nextEvent, runClaude, startHarness, type Harness } from '../testing/claude-harness';
import { userTexts } from '../testing/fake-anthropic';
import { CLAUDE_BIN } from '../testing/temp-core';
import { owner, pair, startTelegram, type TelegramHarness } from '../testing/telegram-harness';
import { htmlToPlain } from '../surfaces/telegram/telegram-html';

// The real claude CLI with Switchboard's plugin installed in a temporary HOME by the app's own connector;
// its hooks reach the real loopback server.
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let h: Harness | null = null;
let t: TelegramHarness | null = null;
afterEach(async () => {
  await h?.close();
  await t?.close();
  h = null;
  t = null;
});

async function connected(harness: Harness) {
  const result = await harness.core.router.call('claudeCode.connect', {}, desktopCaller);
  if (!result.ok) throw new Error(result.error.message);
  return result.value as { connected: boolean; plugin: string | null; mcp: string | null };
}

/** A headless `claude -p` in a project folder with the plugin's hooks on (`env` added to the harness's). */
function claudeP(harness: Harness, prompt: string, cwd: string, env: NodeJS.ProcessEnv = {}) {
  return runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--', prompt], { env: { ...harness.env, ...env }, cwd, timeoutMs: 60_000 });
}

/**
 * What Anthropic's desktop app sets when it runs the CLI for a person: 2.1.329 then counts the session as
 * attended (CLAUDE_CODE_SESSION_ATTENDED=1 for its hooks, measured), as the TUI is; a plain `claude -p` is
 * not (0). (`claude-vscode` with `-p` is measured as unattended.)
 */
const ATTENDED = { CLAUDE_CODE_ENTRYPOINT: 'claude-desktop' };

describe('Claude Code connected through the plugin', { timeout: 90_000 }, () => {
  it('installs a plugin that validates, with its MCP server connected and the tokens kept out of the settings files', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const rendered = path.join(h.core.config.dataDir, 'claude-plugin');
    // The plugin as shipped validates as it stands: nothing to fill in first.
    const shipped = execFileSync(CLAUDE_BIN, ['plugin', 'validate', path.join(import.meta.dirname, '../../resources/claude-plugin/plugins/switchboard')], { env: h.env, encoding: 'utf8' });
    expect(shipped).toContain('Validation passed');
    expect(shipped).not.toMatch(/Invalid|✘/);
    const token = ((await h.core.router.call('system.rotateToken', { scope: 'mcp' }, desktopCaller)) as { value: { token: string } }).value.token;
    const hooksToken = ((await h.core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    const status = await connected(h);
    expect(status.connected).toBe(true);
    expect(status.plugin).toContain('switchboard@switchboard');
    expect(status.mcp).toMatch(/plugin:switchboard:switchboard: http:\/\/127\.0\.0\.1:\d+\/mcp \(HTTP\) - ✔ Connected/);
    const validate = execFileSync(CLAUDE_BIN, ['plugin', 'validate', path.join(rendered, 'plugins', 'switchboard')], { env: h.env, encoding: 'utf8' });
    expect(validate).toContain('Validation passed');
    // The MCP token lives with Claude Code's credentials, in no settings file.
    const claudeDir = h.env.CLAUDE_CONFIG_DIR!;
    const mentions = (fs.readdirSync(claudeDir, { recursive: true, encoding: 'utf8' }) as string[])
      .map((f) => path.join(claudeDir, f))
      .filter((f) => fs.statSync(f).isFile() && fs.readFileSync(f, 'utf8').includes(token));
    expect(mentions.map((f) => path.basename(f))).toEqual(['.credentials.json']);
    // So does the hooks token; the plugin's files (the marketplace in the data folder) hold neither.
    const holding = (dir: string, secret: string) =>
      (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile() && fs.readFileSync(f, 'utf8').includes(secret));
    expect(holding(claudeDir, hooksToken).map((f) => path.basename(f))).toEqual(['.credentials.json']);
    expect([...holding(rendered, token), ...holding(rendered, hooksToken)]).toEqual([]);
    expect((fs.statSync(path.join(claudeDir, '.credentials.json')).mode & 0o777).toString(8)).toBe('600');

    const off = await h.core.router.call('claudeCode.disconnect', {}, desktopCaller);
    expect(off).toMatchObject({ ok: true, value: { connected: false, plugin: null } });
  });

  it('asks Switchboard before a headless run uses a tool: allowed runs it, denied does not; what the user’s own rules allow never asks', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    await connected(h);
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(path.join(project, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(project, '.claude', 'settings.json'), JSON.stringify({ permissions: { allow: ['Bash(echo *)'] } }));

    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch from-phone.txt', description: 'make a file' } }, { kind: 'text', text: 'made' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const run = claudeP(h, 'make the file', project);
    const approval = await asked;
    expect(approval).toMatchObject({ toolName: 'Bash', input: { command: 'touch from-phone.txt' }, sessionId: null });
    await core.router.call('approvals.answer', { id: approval.id, decision: 'once' }, desktopCaller);
    expect((await run).code).toBe(0);
    expect(fs.existsSync(path.join(project, 'from-phone.txt'))).toBe(true);

    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch refused.txt', description: 'make a file' } }, { kind: 'text', text: 'not made' });
    const again = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const second = claudeP(h, 'make another', project);
    await core.router.call('approvals.answer', { id: (await again).id, decision: 'deny', message: 'not today' }, desktopCaller);
    expect((await second).code).toBe(0);
    expect(fs.existsSync(path.join(project, 'refused.txt'))).toBe(false);
    expect(JSON.stringify(api.mainRequests().at(-1)!.body.messages!.at(-1))).toContain('not today');

    // Allowed by the user's own rule: no question at all.
    const before = core.approvals.list('all', 100).length;
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'echo hello', description: 'echo' } }, { kind: 'text', text: 'echoed' });
    expect((await claudeP(h, 'echo it', project)).code).toBe(0);
    expect(core.approvals.list('all', 100).length).toBe(before);
  });

  it('"Always allow" on a terminal’s question saves the narrowest rule: the CLI’s own suggestion, else this very call; never a bare Bash or Write', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    await connected(h);
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(project);
    const alwaysAllowed = async (prompt: string) => {
      const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
      const run = claudeP(h!, prompt, project);
      const approval = await asked;
      // As the window's "Always allow" with its pre-filled rule untouched: no rule named, the pre-filled one is saved.
      const answered = await core.router.call('approvals.answer', { id: approval.id, decision: 'always' }, desktopCaller);
      expect(answered.ok).toBe(true);
      expect((await run).code).toBe(0);
      return approval;
    };
    // The CLI suggests a rule of its own in the hook's input (`permission_suggestions`): it is the one saved.
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'npm run test', description: 'test' } }, { kind: 'text', text: 'tested' });
    expect((await alwaysAllowed('run the tests')).suggestions).toEqual(['Bash(npm run *)']);
    // For these it suggests a folder and a mode, no rule: the rule names this very command, this very file.
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch one.txt', description: 'make a file' } }, { kind: 'text', text: 'made' });
    await alwaysAllowed('make one');
    const file = path.join(project, 'notes.md');
    api.reply({ kind: 'tool', name: 'Write', input: { file_path: file, content: 'x' } }, { kind: 'text', text: 'written' });
    await alwaysAllowed('write notes');
    expect(core.approvals.rules().map((r) => r.rule).sort()).toEqual(['Bash(npm run *)', 'Bash(touch one.txt)', `Write(${file})`]);
    expect(fs.existsSync(path.join(project, 'one.txt'))).toBe(true);

    // Another command still asks.
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'rm -rf build', description: 'clean' } }, { kind: 'text', text: 'not cleaned' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const run = claudeP(h, 'clean up', project);
    await core.router.call('approvals.answer', { id: (await asked).id, decision: 'deny' }, desktopCaller);
    expect((await run).code).toBe(0);
  });

  it('connects a Claude Code without plugins: the MCP server added, hooks merged into its settings with a backup, once, and taken out cleanly', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    const file = path.join(h.env.CLAUDE_CONFIG_DIR!, 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const mine = { model: 'sonnet', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'echo mine' }] }] } };
    fs.writeFileSync(file, JSON.stringify(mine));
    const port = core.server!.address!.port;
    const hooksToken = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    await core.claudeCode.connectWithoutPlugins(port);
    const status = await core.claudeCode.connectWithoutPlugins(port);
    expect(status).toMatchObject({ connected: true, mcp: expect.stringMatching(/^switchboard: http:\/\/127\.0\.0\.1:\d+\/mcp \(HTTP\) - ✔ Connected/) });
    const merged = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof mine & { hooks: Record<string, unknown[]> };
    expect(merged.model).toBe('sonnet');
    expect(merged.hooks.Stop).toHaveLength(2);
    expect(merged.hooks.PermissionRequest).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(`${file}.switchboard-backup`, 'utf8'))).toEqual(mine);
    // The plugin's own bounded hook (exec form), its port and token in a 0600 file of the data folder: none in Claude Code's settings.
    const script = path.join(core.config.dataDir, 'claude-hooks', 'switchboard-hook.sh');
    expect(merged.hooks.PermissionRequest![0]).toEqual({ matcher: '*', hooks: [{ type: 'command', command: 'sh', args: [script, 'permission'], timeout: 3700 }] });
    const connection = path.join(core.config.dataDir, 'claude-hooks', 'connection');
    expect(fs.readFileSync(connection, 'utf8')).toBe(`${port}\n${hooksToken}\n`);
    expect((fs.statSync(connection).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readFileSync(file, 'utf8')).not.toContain(hooksToken);

    // The merged hooks work: a headless run asks Switchboard.
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(project);
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch merged.txt', description: 'make a file' } }, { kind: 'text', text: 'made' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const run = claudeP(h, 'make it', project);
    await core.router.call('approvals.answer', { id: (await asked).id, decision: 'once' }, desktopCaller);
    expect((await run).code).toBe(0);
    expect(fs.existsSync(path.join(project, 'merged.txt'))).toBe(true);

    // A rotated hooks token reaches the merged hooks at once.
    const rotated = await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller);
    expect(fs.readFileSync(connection, 'utf8')).toBe(`${port}\n${(rotated as { value: { token: string } }).value.token}\n`);

    expect(await core.claudeCode.disconnect()).toMatchObject({ connected: false });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(mine);
    expect(fs.existsSync(path.dirname(connection))).toBe(false);
  });

  it('settles a question answered in the terminal first: the hook request goes away, the card says so', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    const hooksToken = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const request = http.request({ host: '127.0.0.1', port: core.server!.address!.port, path: '/hooks/permission', method: 'POST', headers: { Authorization: `Bearer ${hooksToken}`, 'Content-Type': 'application/json' } });
    request.on('error', () => {});
    request.end(JSON.stringify({ session_id: 'terminal-session', cwd: '/home/me/app', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'rm -rf build' } }));
    const approval = await asked;
    expect(approval).toMatchObject({ toolName: 'Bash', description: 'Claude Code in /home/me/app', input: { command: 'rm -rf build' } });
    const settled = nextEvent(core.events, 'approvals.changed', (a) => a.id === approval.id && a.status !== 'pending');
    // The person answered at the keyboard: Claude Code drops its hook request.
    request.destroy();
    expect(await settled).toMatchObject({ status: 'expired', decision: 'cancelled', message: 'Answered in the terminal.' });
  });

  it('remembers "This session" for a terminal session: its next matching call is allowed without asking', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    const hooksToken = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    const ask = (session: string, command: string) =>
      fetch(`http://127.0.0.1:${core.server!.address!.port}/hooks/permission`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${hooksToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ session_id: session, cwd: '/home/me/app', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command } }),
      }).then((r) => r.json() as Promise<{ hookSpecificOutput?: { decision: { behavior: string } } }>);
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const first = ask('terminal-a', 'npm test');
    await core.router.call('approvals.answer', { id: (await asked).id, decision: 'session', rule: 'Bash(npm *)' }, desktopCaller);
    expect((await first).hookSpecificOutput?.decision.behavior).toBe('allow');
    const pendingBefore = core.approvals.list('pending', 10).length;
    expect((await ask('terminal-a', 'npm run build')).hookSpecificOutput?.decision.behavior).toBe('allow');
    expect(core.approvals.list('pending', 10).length).toBe(pendingBefore);
    // Another terminal session is asked again.
    const other = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const third = ask('terminal-b', 'npm run build');
    await core.router.call('approvals.answer', { id: (await other).id, decision: 'deny' }, desktopCaller);
    expect((await third).hookSpecificOutput?.decision.behavior).toBe('deny');
  });

  it('settles a question when the transcript shows the terminal answered it (the tool ran there)', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    const hooksToken = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    const sessionId = '0b8f3a52-1111-4222-8333-444455556666';
    const file = path.join(h.env.CLAUDE_CONFIG_DIR!, 'projects', '-home-me-app', `${sessionId}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const line = (o: object) => fs.appendFileSync(file, `${JSON.stringify({ sessionId, cwd: '/home/me/app', timestamp: new Date().toISOString(), ...o })}\n`);
    line({ type: 'user', uuid: 'u1', message: { role: 'user', content: 'clean the build' } });
    // Followed from here on, as a terminal session is while it runs.
    await core.transcripts.importAll();
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a));
    const request = http.request({ host: '127.0.0.1', port: core.server!.address!.port, path: '/hooks/permission', method: 'POST', headers: { Authorization: `Bearer ${hooksToken}`, 'Content-Type': 'application/json' } });
    request.on('error', () => {});
    request.end(JSON.stringify({ session_id: sessionId, transcript_path: file, cwd: '/home/me/app', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, tool_use_id: 'toolu_terminal_1' }));
    const approval = await asked;
    const settled = nextEvent(core.events, 'approvals.changed', (a) => a.id === approval.id && a.status !== 'pending', 10_000);
    // The person allowed it at the keyboard: the tool ran, and its result lands in the transcript.
    line({ type: 'assistant', uuid: 'a1', message: { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_terminal_1', name: 'Bash', input: { command: 'rm -rf build' } }] } });
    line({ type: 'user', uuid: 'u2', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_terminal_1', content: '' }] } });
    expect(await settled).toMatchObject({ decision: 'cancelled', message: 'Answered in the terminal.' });
    request.destroy();
  });

  it('rotating a token while connected updates the installed plugin: the next terminal question reaches Switchboard; a plugin left with old tokens says Reconnect', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    await connected(h);
    await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller);
    await core.router.call('system.rotateToken', { scope: 'mcp' }, desktopCaller);
    expect(await core.claudeCode.status()).toMatchObject({ connected: true, stale: null });
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(project);
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch rotated.txt', description: 'make a file' } }, { kind: 'text', text: 'made' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a), 20_000);
    const run = claudeP(h, 'make the file', project);
    await core.router.call('approvals.answer', { id: (await asked).id, decision: 'once' }, desktopCaller);
    const finished = await run;
    expect(finished.code).toBe(0);
    expect(fs.existsSync(path.join(project, 'rotated.txt'))).toBe(true);
    // The MCP server answers with the new token too.
    const init = finished.lines.find((l) => (l as { subtype?: string }).subtype === 'init') as { mcp_servers: { name: string; status: string }[] };
    expect(init.mcp_servers).toContainEqual({ name: 'plugin:switchboard:switchboard', status: 'connected', source: 'plugin' });

    // What Connect handed over no longer matches (a token changed while Claude Code could not be updated): the card says Reconnect.
    const handed = path.join(core.config.dataDir, 'claude-code.json');
    fs.writeFileSync(handed, JSON.stringify({ ...JSON.parse(fs.readFileSync(handed, 'utf8')), tokens: 'older' }));
    expect(await core.claudeCode.status()).toMatchObject({ connected: true, stale: 'A token was rotated since Claude Code was connected: connect again.' });
    expect(await connected(h)).toMatchObject({ connected: true, stale: null });
  });

  it('allows Switchboard’s read-only tools without asking when the user chooses it at Connect; Disconnect takes out exactly those rules', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    const file = path.join(h.env.CLAUDE_CONFIG_DIR!, 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const mine = { model: 'sonnet', permissions: { allow: ['Bash(ls)', 'mcp__plugin_switchboard_switchboard__recall'], deny: ['Bash(rm *)'] } };
    fs.writeFileSync(file, JSON.stringify(mine));
    const result = await core.router.call('claudeCode.connect', { allowReadOnly: true }, desktopCaller);
    if (!result.ok) throw new Error(result.error.message);
    const status = result.value as { allowed: string[] };
    expect(status.allowed).toContain('mcp__plugin_switchboard_switchboard__list_memories');
    expect(status.allowed).not.toContain('mcp__plugin_switchboard_switchboard__recall');
    expect(status.allowed).not.toContain('mcp__plugin_switchboard_switchboard__ask_user');
    expect(JSON.parse(fs.readFileSync(`${file}.switchboard-backup`, 'utf8'))).toEqual(mine);
    const merged = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof mine;
    expect(merged.permissions.deny).toEqual(['Bash(rm *)']);
    expect(merged.permissions.allow.slice(0, 2)).toEqual(mine.permissions.allow);

    // The real CLI runs a read-only tool without a question; one that changes something still asks.
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(project);
    api.reply({ kind: 'tool', name: 'mcp__plugin_switchboard_switchboard__list_memories', input: {} }, { kind: 'tool', name: 'mcp__plugin_switchboard_switchboard__remember', input: { text: 'asked first' } }, { kind: 'text', text: 'done' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && fromTerminal(a), 30_000);
    const run = claudeP(h, 'list then remember', project);
    const question = await asked;
    expect(question.toolName).toBe('mcp__plugin_switchboard_switchboard__remember');
    await core.router.call('approvals.answer', { id: question.id, decision: 'deny' }, desktopCaller);
    expect((await run).code).toBe(0);
    expect(core.approvals.list('all', 100).map((a) => a.toolName)).toEqual(['mcp__plugin_switchboard_switchboard__remember']);
    const listed = JSON.stringify(api.mainRequests().at(-2)!.body.messages!.at(-1));
    expect(listed).toContain('tool_result');
    expect(listed).toContain('memories');

    await core.claudeCode.disconnect();
    // Our rules gone, the user's own (recall included) kept; Claude Code leaves its own emptied plugin keys.
    const after = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof mine;
    expect(after.permissions).toEqual(mine.permissions);
    expect(after.model).toBe('sonnet');
  });

  it('holds a stop only while Reply to continue is on, and never the stop that follows a continuation (stop_hook_active)', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    const hooksToken = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    const stop = async (body: object, poll = true) => {
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${core.server!.address!.port}/hooks/stop`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${hooksToken}`, 'Content-Type': 'application/json', ...(poll ? { 'X-Switchboard-Poll': '1' } : {}) },
        body: JSON.stringify({ session_id: 'terminal-s', cwd: '/home/me/app', hook_event_name: 'Stop', last_assistant_message: 'Done.', ...body }),
      });
      return { answer: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
    };
    // Off (the default): answered at once.
    expect(await stop({ stop_hook_active: false })).toMatchObject({ answer: {} });
    await core.router.call('settings.set', { key: 'hooks.replyWindowSeconds', value: 600 }, desktopCaller);
    // A stop after a continuation: answered at once, though the window is on.
    const again = await stop({ stop_hook_active: true });
    expect(again.answer).toEqual({});
    expect(again.ms).toBeLessThan(500);
    // A first stop: the plugin's hook is told to poll, and a reply continues the session.
    const stopped = nextEvent(core.events, 'hooks.stopped', (s) => s.claudeSessionId === 'terminal-s' && s.replyUntil !== null);
    const first = await stop({ stop_hook_active: false });
    expect(first.answer).toEqual({ pending: expect.any(String) });
    const poll = fetch(`http://127.0.0.1:${core.server!.address!.port}/hooks/wait/${String(first.answer.pending)}`, { method: 'POST', headers: { Authorization: `Bearer ${hooksToken}`, 'X-Switchboard-Poll': '1' }, body: '{}' }).then((r) => r.json());
    await core.router.call('hooks.reply', { id: (await stopped).id, text: 'carry on' }, desktopCaller);
    expect(await poll).toEqual({ decision: 'block', reason: 'carry on' });
  });

  it('with Reply to continue off, a `claude -p` stop sends its note in the background: it reaches Switchboard, nothing waits; the hook folder follows the setting', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    await connected(h);
    const folder = path.join(core.config.dataDir, 'claude-hooks');
    const window = path.join(folder, 'reply-window');
    expect(fs.readFileSync(window, 'utf8')).toBe('0\n');
    expect((fs.statSync(window).mode & 0o777).toString(8)).toBe('600');
    // The plugin reads that folder from its option (a plain one, in Claude Code's settings).
    const claudeSettings = JSON.parse(fs.readFileSync(path.join(h.env.CLAUDE_CONFIG_DIR!, 'settings.json'), 'utf8')) as { pluginConfigs?: Record<string, { options?: Record<string, unknown> }> };
    expect(JSON.stringify(claudeSettings)).toContain(JSON.stringify(folder));
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(project);
    api.reply({ kind: 'text', text: 'All done.' });
    const stopped = nextEvent(core.events, 'hooks.stopped', (s) => s.lastMessage === 'All done.');
    const run = await runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--include-hook-events', '--', 'finish'], { env: h.env, cwd: project, timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    const answered = run.lines.find((l) => (l as { subtype?: string; hook_event?: string }).subtype === 'hook_response' && (l as { hook_event?: string }).hook_event === 'Stop');
    expect(answered).toMatchObject({ exit_code: 0, stdout: '' });
    // The note arrives, with no reply window: nobody waits for one.
    expect(await stopped).toMatchObject({ replyUntil: null, project: 'project' });

    // The setting changes: the folder follows at once, no reconnect.
    await core.router.call('settings.set', { key: 'hooks.replyWindowSeconds', value: 120 }, desktopCaller);
    expect(fs.readFileSync(window, 'utf8')).toBe('120\n');
    await core.claudeCode.disconnect();
    expect(fs.existsSync(folder)).toBe(false);
  });

  it('with Reply to continue on, never holds a `claude -p` nobody sits at: the script gets its own answer', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    await core.router.call('settings.set', { key: 'hooks.replyWindowSeconds', value: 600 }, desktopCaller);
    await connected(h);
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(project);
    api.reply({ kind: 'text', text: 'The script’s own answer.' });
    const stopped = nextEvent(core.events, 'hooks.stopped', (s) => s.lastMessage === 'The script’s own answer.');
    const started = Date.now();
    const run = await claudeP(h, 'answer the script', project);
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    const result = run.lines.find((l) => (l as { type?: string }).type === 'result') as { result?: string };
    expect(result.result).toBe('The script’s own answer.');
    // Its note still reaches Switchboard, with no reply window: nobody is there to continue it.
    expect(await stopped).toMatchObject({ replyUntil: null, project: 'project' });
    expect(core.inbox.list({ filter: 'open', limit: 50 }).items.filter((i) => i.kind === 'stop')).toEqual([]);
  });

  it('goes on at once when Switchboard is not running', async () => {
    h = await startHarness({ core: { server: SERVER } });
    await connected(h);
    const { api } = h;
    const project = path.join(h.dir, 'project');
    fs.mkdirSync(project);
    await h.core.stop();
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch x.txt', description: 'x' } }, { kind: 'text', text: 'went on' });
    const started = Date.now();
    const run = await claudeP(h, 'try it', project);
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(JSON.stringify(run.lines)).toContain('went on');
  });

  it('sends a stop to the phone, and a reply from Telegram continues the same session', async () => {
    t = await startTelegram({ core: { server: SERVER } });
    await pair(t);
    const harness = t.harness;
    const { core, api } = harness;
    await core.router.call('settings.set', { key: 'hooks.replyWindowSeconds', value: 5 }, desktopCaller);
    await connected(harness);
    const project = path.join(harness.dir, 'project');
    fs.mkdirSync(project);
    api.reply({ kind: 'text', text: 'First part done. Shall I go on?' }, { kind: 'text', text: 'Going on with the tests.' });
    const inInbox = nextEvent(core.events, 'inbox.changed', (p) => p.item?.kind === 'stop' && p.item.state === 'open');
    const run = claudeP(harness, 'start the work', project, ATTENDED);
    // The window's inbox has it too, with the last message and its reply window.
    const item = (await inInbox).item!;
    expect(item).toMatchObject({ title: 'Claude Code stopped · project', text: 'First part done. Shall I go on?' });
    const note = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => htmlToPlain(m.text).includes('First part done.')), 30_000, 'the stop note');
    expect(htmlToPlain(note.text)).toContain('Claude Code finished in project');
    expect(htmlToPlain(note.text)).toMatch(/Reply to this message within \d+ s/);
    t.tg.send(owner, 'yes, run the tests too', { replyTo: note.message_id });
    expect((await run).code).toBe(0);
    const continued = api.mainRequests().at(-1)!;
    expect(userTexts(continued).join('\n')).toContain('yes, run the tests too');
    expect(JSON.stringify((await run).lines)).toContain('Going on with the tests.');
    // Answered from the phone: settled in the window at once.
    expect(core.inbox.byKey(`stop:${item.ref}`)).toMatchObject({ state: 'settled', outcome: 'Continued with your reply.' });
  });
});
