import { describe, expect, it, onTestFinished } from 'vitest';
import { errorCodes, type ErrorCode } from '../../contract';
import { AppError } from '../errors';
import { Router, type Handlers } from '../ipc/router';
import { startTestCore } from '../testing/temp-core';
import { TEST_TOKEN, testServer } from '../testing/test-server';
import { STATUS_BY_CODE } from './loopback-server';

/** The real loopback server over a test core (its router, or the one given), on a free port. */
async function serve(router?: Router): Promise<string> {
  const { core } = await startTestCore();
  const { server, base } = await testServer(core, router ? { router } : {});
  onTestFinished(() => server.stop());
  return base;
}

async function post(base: string, method: string, body: unknown): Promise<{ status: number; code: string | null }> {
  const res = await fetch(`${base}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_TOKEN}` }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { ok: boolean; error?: { code: ErrorCode } };
  return { status: res.status, code: answer.error?.code ?? null };
}

/** The statuses README's API section promises, written out here so a change to either is seen. */
const promised: Record<ErrorCode, number> = { invalid_input: 400, unknown_method: 404, unknown_event: 400, unauthorized: 403, not_found: 404, conflict: 409, capacity: 429, unavailable: 503, too_large: 413, internal: 500 };

describe('the HTTP API answers each error code with its own status', () => {
  it('maps every code of the contract, each thrown by a handler behind the real server', async () => {
    // One method whose handler fails with the code it is given: the router and the server are the real ones.
    const router = new Router({
      'sessions.get': ({ id }) => {
        if (id === 'crash') throw new Error('a bug');
        throw new AppError(id as ErrorCode, `failed with ${id}`);
      },
    } as Partial<Handlers> as Handlers);
    const base = await serve(router);
    expect(STATUS_BY_CODE).toEqual(promised);
    for (const code of errorCodes.filter((c) => c !== 'internal')) {
      expect(await post(base, 'sessions.get', { id: code }), code).toEqual({ status: promised[code], code });
    }
    expect(await post(base, 'sessions.get', { id: 'crash' })).toEqual({ status: 500, code: 'internal' });
    // No code answers 200 any more.
    expect(new Set(Object.values(STATUS_BY_CODE)).has(200)).toBe(false);
  });

  it('answers real failures of real methods with their status', async () => {
    const base = await serve();
    expect(await post(base, 'sessions.get', { id: 'no-such-session' })).toEqual({ status: 404, code: 'not_found' });
    expect(await post(base, 'schedules.get', { id: 'no-such-job' })).toEqual({ status: 404, code: 'not_found' });
    expect(await post(base, 'approvals.get', { id: 'no-such-question' })).toEqual({ status: 404, code: 'not_found' });
    expect(await post(base, 'sessions.get', {})).toEqual({ status: 400, code: 'invalid_input' });
    expect(await post(base, 'no.such', {})).toEqual({ status: 404, code: 'unknown_method' });
    // Only a job's own running session may leave its next prompt: anyone else is in the way of nothing, a conflict.
    expect(await post(base, 'schedules.setNextPrompt', { text: 'next time' })).toEqual({ status: 409, code: 'conflict' });
    expect((await post(base, 'system.health', {})).status).toBe(200);
  });
});
