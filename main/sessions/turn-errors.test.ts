import { afterEach, describe, expect, it, vi } from 'vitest';
import { desktopCaller } from '../ipc/router';
import { log } from '../log';
import { lastUserText } from '../testing/fake-anthropic';
import { startHarness, type Harness } from '../testing/claude-harness';

// Real `claude` binary, real SQLite, the Messages API played by a loopback stand-in.
let h: Harness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = null;
});

/** Every error id logged, with what the log line holds. */
function loggedErrors(): Map<string, Record<string, unknown> | undefined> {
  const logged = new Map<string, Record<string, unknown> | undefined>();
  const original = log.error.bind(log);
  vi.spyOn(log, 'error').mockImplementation((message, error, details, options) => {
    const id = original(message, error, details, options);
    logged.set(id, details);
    return id;
  });
  return logged;
}

describe('failed turns and compaction, against the real claude CLI', () => {
  it('shows the CLI compacting as one line, and "Prompt is too long" says what to do, with an error id the log has', async () => {
    h = await startHarness();
    const { core, api, turnEnded } = h;
    const logged = loggedErrors();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'warm up', desktopCaller).id);
    api.respond((request) => (lastUserText(request).includes('TOO LONG') ? { kind: 'error', status: 400, type: 'invalid_request_error', message: 'prompt is too long: 300000 tokens > 200000 maximum' } : { kind: 'text', text: 'Summary' }));
    const failed = await turnEnded(core.sessions.send(session.id, 'TOO LONG', desktopCaller).id, 60_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/too long/i);
    expect(failed.error).toMatch(/Reset the session/);
    expect(failed.error).toMatch(/\/compact/);
    const id = /\(error ([\w-]+)\)$/.exec(failed.error ?? '')?.[1];
    expect(id).toBeTruthy();
    expect(String(logged.get(id!)?.cause)).toMatch(/Prompt is too long/i);
    const messages = core.sessions.transcript(session.id, 100).messages;
    // The CLI's compact_boundary lines are words now, said once, never the raw JSON fold.
    expect(messages.filter((m) => m.kind === 'unknown')).toEqual([]);
    const compacted = messages.filter((m) => m.kind === 'notice' && m.text.startsWith('Claude Code compacted the conversation'));
    expect(compacted).toHaveLength(1);
    expect(compacted[0]!.text).toMatch(/^Claude Code compacted the conversation \([\d,]+ tokens before\)\.$/);
  });

  it("gives an API failure's error (529 Overloaded) a short id logged with the details", async () => {
    h = await startHarness({ env: { CLAUDE_CODE_MAX_RETRIES: '1' } });
    const { core, api, turnEnded } = h;
    const logged = loggedErrors();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.respond(() => ({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' }));
    const failed = await turnEnded(core.sessions.send(session.id, 'hello', desktopCaller).id, 60_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Overloaded/);
    const id = /\(error ([\w-]+)\)$/.exec(failed.error ?? '')?.[1];
    expect(id).toBeTruthy();
    expect(logged.get(id!)).toMatchObject({ sessionId: session.id, turnId: failed.id });
    expect(core.sessions.get(session.id).lastError).toBe(failed.error);
  });
});
