import { describe, expect, it } from 'vitest';
import { Lifecycle, ServiceStartError, type Service } from './lifecycle';

function recorder(log: string[], name: string, fail?: 'start' | 'stop'): Service {
  return {
    name,
    start() {
      if (fail === 'start') throw new Error(`${name} exploded`);
      log.push(`start ${name}`);
    },
    async stop() {
      if (fail === 'stop') throw new Error(`${name} stuck`);
      log.push(`stop ${name}`);
    },
  };
}

describe('Lifecycle', () => {
  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    for (const name of ['a', 'b', 'c']) lifecycle.add(recorder(log, name));
    await lifecycle.start();
    await lifecycle.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('names a required service that fails and stops the ones already started', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    lifecycle.add(recorder(log, 'a'));
    lifecycle.add(recorder(log, 'storage', 'start'));
    lifecycle.add(recorder(log, 'c'));
    const error = await lifecycle.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as Error).message).toContain('storage');
    expect((error as Error).message).toContain('storage exploded');
    expect(log).toEqual(['start a', 'stop a']);
    expect(lifecycle.statuses().find((s) => s.name === 'storage')).toMatchObject({ state: 'failed', error: 'storage exploded' });
  });

  it('goes on past an optional service that fails, and reports it', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    lifecycle.add(recorder(log, 'a'));
    lifecycle.add(recorder(log, 'telegram', 'start'), { required: false });
    lifecycle.add(recorder(log, 'c'));
    await lifecycle.start();
    expect(lifecycle.statuses().map((s) => s.state)).toEqual(['running', 'failed', 'running']);
    await lifecycle.stop();
    expect(log).toEqual(['start a', 'start c', 'stop c', 'stop a']);
  });

  it('stops every service even when one fails to stop', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    lifecycle.add(recorder(log, 'a'));
    lifecycle.add(recorder(log, 'b', 'stop'));
    lifecycle.add(recorder(log, 'c'));
    await lifecycle.start();
    await lifecycle.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop a']);
    expect(lifecycle.statuses()[1]).toMatchObject({ state: 'failed', error: 'stop failed: b stuck' });
  });
});
