import { describe, expect, it } from 'vitest';
import { Disposable, disposableTimeout, DisposableStore, toDisposable } from './disposable';
import { RequestStore, withTimeout } from './request-store';

describe('disposables', () => {
  it('releases each registered item once, and anything added after the store is disposed at once', () => {
    const released: string[] = [];
    class Owner extends Disposable {
      open(name: string) {
        return this._register(toDisposable(() => released.push(name)));
      }
    }
    const owner = new Owner();
    const a = owner.open('a');
    owner.open('b');
    a.dispose();
    owner.dispose();
    owner.dispose();
    expect(released).toEqual(['a', 'b']);
    owner.open('late');
    expect(released).toEqual(['a', 'b', 'late']);
  });

  it('never fires a timer whose store was disposed, and forgets a timer once it fired', async () => {
    const store = new DisposableStore();
    const fired: string[] = [];
    const done = new Promise<void>((resolve) => disposableTimeout(() => (fired.push('kept'), resolve()), 5, store));
    disposableTimeout(() => fired.push('cancelled'), 30, store);
    await done;
    expect(store.size).toBe(1);
    store.dispose();
    disposableTimeout(() => fired.push('after'), 0, store);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toEqual(['kept']);
  });
});

describe('requests with a deadline', () => {
  it('ends each request once: at its reply, or at its timeout through onTimeout', async () => {
    const store = new RequestStore<string, string>();
    const answered = store.create('a', 'question a', 10_000, () => store.reply('a', 'late'));
    const timedOut = store.create('b', 'question b', 5, (id) => store.reply(id, 'timeout'));
    expect(store.entries()).toEqual([
      ['a', 'question a'],
      ['b', 'question b'],
    ]);
    expect(store.reply('a', 'yes')).toBe(true);
    expect(store.reply('a', 'again')).toBe(false);
    expect(await answered).toBe('yes');
    expect(await timedOut).toBe('timeout');
    expect(store.has('b')).toBe(false);
    expect(() => store.create('c', 'q', null, () => {})).not.toThrow();
    expect(() => store.create('c', 'q', null, () => {})).toThrow(/open already/);
  });

  it('gives the fallback when the work is late, the value when it is not', async () => {
    expect(await withTimeout(new Promise(() => {}), 5, 'late')).toBe('late');
    expect(await withTimeout(Promise.resolve('on time'), 1000, 'late')).toBe('on time');
  });
});
