import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jobInputSchema, type TerminalOutput } from '../contract';
import { childEnv } from './child-env';
import { desktopCaller } from './ipc/router';
import { startHarness, type Harness } from './testing/claude-harness';

const SECRETS = {
  SWITCHBOARD_TELEGRAM_TOKEN: 'tg-secret-4711',
  SWITCHBOARD_DISCORD_TOKEN: 'dc-secret-4712',
  SWITCHBOARD_MCP_TOKEN: 'mcp-secret-4713',
  SWITCHBOARD_SOME_FUTURE_KEY: 'future-secret-4714',
};

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The processes this test process started, by pid, with their command line. */
function children(): { pid: number; cmdline: string }[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid ? [{ pid: Number(pid), cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') }] : [];
      } catch {
        return [];
      }
    });
}

/** Every call in main/ that starts a process, with its arguments' text, in the files that import a process module. */
function processStarts(): { where: string; call: string }[] {
  const root = import.meta.dirname;
  const files = (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('testing'));
  const found: { where: string; call: string }[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    if (!/from '(node:)?child_process'|from 'node-pty'/.test(text)) continue;
    for (const match of text.matchAll(/(?<![.\w])(spawn|spawnSync|execFile|execFileSync|exec|execSync|fork|run|pty\.spawn)\s*\(/g)) {
      let depth = 0;
      let end = match.index + match[0].length - 1;
      for (; end < text.length; end++) {
        if (text[end] === '(') depth++;
        else if (text[end] === ')' && --depth === 0) break;
      }
      const call = text.slice(match.index, end + 1);
      // A definition (`run(args: string[]): …`) or the promisify of one is not a start.
      if (/^\s*[:{]/.test(text.slice(end + 1, end + 4)) || /promisify\($/.test(text.slice(match.index - 10, match.index))) continue;
      found.push({ where: `${file}:${text.slice(0, match.index).split('\n').length}`, call });
    }
  }
  return found;
}

describe('the environment of every child', () => {
  it('is built by childEnv at every process start in main/', () => {
    const starts = processStarts();
    // claude-process, cli-locator, shell-runner, terminal-manager, claude-code-connector, process-identity.
    expect(starts.length).toBeGreaterThanOrEqual(6);
    for (const start of starts) expect(start.call, start.where).toMatch(/env: childEnv\(/);
  });

  it('keeps what a child needs and drops every Switchboard secret', () => {
    const env = childEnv({ PATH: '/bin', HOME: '/h', SWITCHBOARD_HOME: '/data', SWITCHBOARD_PORT: '7345', ...SECRETS, switchboard_discord_token: 'lower' }, { SWITCHBOARD_SESSION_ID: 's1', EXTRA: 'x', SWITCHBOARD_TELEGRAM_TOKEN: 'again' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', SWITCHBOARD_HOME: '/data', SWITCHBOARD_PORT: '7345', SWITCHBOARD_SESSION_ID: 's1', EXTRA: 'x' });
  });

  it('a shell job, a terminal and the Claude process see none of Switchboard’s secrets', { timeout: 90_000 }, async () => {
    const harness = (h = await startHarness());
    const { core } = harness;
    // Set once the core runs: the bots would otherwise try to connect with them. Children are given the env as it is when they start.
    Object.assign(core.config.env!, SECRETS, { SWITCHBOARD_HOME: core.config.dataDir, SHELL: '/bin/bash' });
    const leaked = (text: string) => Object.values(SECRETS).filter((secret) => text.includes(secret));

    // A shell job printing its whole environment.
    const job = core.scheduler.create(jobInputSchema.parse({ kind: 'shell', name: 'env', cron: '0 3 * * *', command: 'env; echo names: $(env | grep -o "^SWITCHBOARD_[A-Z_]*" | tr "\\n" " ")' }), desktopCaller);
    core.scheduler.runNow(job.id);
    await core.scheduler.settled(job.id);
    const printed = core.scheduler.runs(job.id, 1)[0]!.stdoutTail ?? '';
    expect(printed).toContain('names: SWITCHBOARD_HOME');
    expect(leaked(printed)).toEqual([]);
    expect(printed).not.toMatch(/SWITCHBOARD_(TELEGRAM|DISCORD|MCP|SOME)/);

    // A terminal, as the window opens one.
    const opened = await core.terminals.open({ command: 'shell', cwd: harness.home, cols: 200, rows: 40 });
    let seen = '';
    core.events.subscribe((name, payload) => {
      if (name === 'terminals.output' && (payload as TerminalOutput).id === opened.id) seen += (payload as TerminalOutput).data;
    });
    core.terminals.write(opened.id, 'env; echo "done-$((40+2))"\r');
    await expect.poll(() => seen, { timeout: 10_000 }).toContain('done-42');
    expect(seen).toContain(`SWITCHBOARD_HOME=${core.config.dataDir}`);
    expect(leaked(seen)).toEqual([]);
    core.terminals.close(opened.id);

    // The real claude, started for a session: its environment as the kernel has it.
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop', cwd: harness.home });
    const before = new Set(children().map((c) => c.pid));
    await harness.turnEnded(core.sessions.send(session.id, 'hi', desktopCaller).id);
    const claude = children().find((c) => !before.has(c.pid) && c.cmdline.includes('claude'));
    expect(claude).toBeDefined();
    const environ = fs.readFileSync(`/proc/${claude!.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`SWITCHBOARD_SESSION_ID=${session.id}`);
    expect(environ.filter((line) => line.startsWith('ANTHROPIC_BASE_URL='))).toHaveLength(1);
    expect(leaked(environ.join('\n'))).toEqual([]);
    expect(path.isAbsolute(core.config.dataDir)).toBe(true);
  });
});
