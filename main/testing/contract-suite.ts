import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApi, type Transport } from '../../client/api';
import type { Api, SettingChange } from '../../contract';
import type { Core } from '../core';
import { claudeEnv } from './claude-harness';
import { FakeAnthropic } from './fake-anthropic';
import { waitFor } from './wait';
import { CLAUDE_BIN, testCore, makeTempDir, removeTempDir } from './temp-core';

export interface Connected {
  transport: Transport;
  close(): Promise<void>;
}

/** The transport under test, connected to a started core. */
export type Connect = (core: Core) => Promise<Connected>;

/**
 * One suite, run over every transport: the renderer must not be able to tell them apart.
 * Real core, real SQLite, the real claude binary for health.
 */
export function defineContractSuite(transportName: string, connect: Connect): void {
  describe(`contract over ${transportName}`, () => {
    let dir: string;
    let core: Core;
    let connected: Connected;
    let api: Api;
    const anthropic = new FakeAnthropic();

    beforeAll(() => anthropic.start());
    afterAll(() => anthropic.stop());

    beforeEach(async () => {
      dir = makeTempDir();
      fs.mkdirSync(path.join(dir, 'home'));
      core = testCore(dir, { env: claudeEnv(anthropic.url, path.join(dir, 'home')) });
      await core.start();
      connected = await connect(core);
      api = createApi(connected.transport);
    });

    afterEach(async () => {
      await connected.close();
      await core.stop();
      removeTempDir(dir);
    });

    it('reports health with the real Claude CLI version and the database schema', async () => {
      const result = await api.system.health({});
      if (!result.ok) throw new Error(result.error.message);
      expect(result.value.claude).toMatchObject({ found: true, source: 'env', path: CLAUDE_BIN });
      expect(result.value.claude.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(result.value.database.schemaVersion).toBeGreaterThanOrEqual(1);
      expect(result.value.database.sqliteVecVersion).toMatch(/^v0\./);
      expect(result.value.dataDir).toBe(dir);
      expect(result.value.services.every((s) => s.state === 'running')).toBe(true);
    });

    it('sets, gets and lists settings, and delivers the change event', async () => {
      const changed = waitFor<SettingChange>((resolve) => api.on('settings.changed', resolve));
      // The subscription is confirmed before the change is made.
      await new Promise((r) => setTimeout(r, 100));
      const set = await api.settings.set({ key: 'appearance.theme', value: 'dark' });
      expect(set).toEqual({ ok: true, value: { key: 'appearance.theme', value: 'dark' } });
      expect(await changed).toEqual({ key: 'appearance.theme', value: 'dark' });
      expect(await api.settings.get({ key: 'appearance.theme' })).toEqual({ ok: true, value: 'dark' });
      const list = await api.settings.list({});
      expect(list.ok && list.value['appearance.theme']).toBe('dark');
    });

    it('refuses invalid params with a message naming the field, and keeps the old value', async () => {
      await api.settings.set({ key: 'appearance.theme', value: 'light' });
      const wrongType = await connected.transport.call('settings.set', { key: 'appearance.theme', value: 7 });
      expect(wrongType.ok).toBe(false);
      if (wrongType.ok) return;
      expect(wrongType.error.code).toBe('invalid_input');
      expect(wrongType.error.message).toMatch(/^value: /);
      const unknownKey = await connected.transport.call('settings.get', { key: 'no.such.setting' });
      expect(!unknownKey.ok && unknownKey.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^key: /) });
      const extraField = await connected.transport.call('system.health', { surprise: true });
      expect(!extraField.ok && extraField.error.code).toBe('invalid_input');
      expect(await api.settings.get({ key: 'appearance.theme' })).toEqual({ ok: true, value: 'light' });
    });

    it('answers an unknown method with its code and keeps the connection', async () => {
      const result = await connected.transport.call('system.selfDestruct', {});
      expect(!result.ok && result.error.code).toBe('unknown_method');
      const after = await api.settings.get({ key: 'appearance.theme' });
      expect(after.ok).toBe(true);
    });

    it('answers an unknown event with its code and keeps the connection', async () => {
      const result = await connected.transport.subscribe('system.nothing', () => {});
      expect(!result.ok && result.error.code).toBe('unknown_event');
      expect((await api.settings.list({})).ok).toBe(true);
    });

    it('runs a session turn, streams it as events, and records the surface of this transport', async () => {
      const created = await api.sessions.create({ title: 'over the wire' });
      if (!created.ok) throw new Error(created.error.message);
      const deltas: string[] = [];
      const ended = waitFor<string>((resolve) =>
        api.on('sessions.stream', ({ item }) => {
          if (item.kind === 'text_delta') deltas.push(item.text);
          if (item.kind === 'turn' && item.turn.status === 'done') resolve(item.turn.id);
        }),
      );
      await new Promise((r) => setTimeout(r, 100));
      anthropic.reply({ kind: 'text', text: 'one two three', chunks: 3 });
      const sent = await api.sessions.send({ id: created.value.id, text: 'count' });
      if (!sent.ok) throw new Error(sent.error.message);
      expect(await ended).toBe(sent.value.id);
      expect(deltas.join('')).toBe('one two three');
      const turn = await api.sessions.turn({ turnId: sent.value.id });
      expect(turn.ok && turn.value).toMatchObject({ status: 'done', resultText: 'one two three', surface: created.value.surface });
      expect(['browser', 'desktop']).toContain(created.value.surface);
      const missing = await api.sessions.send({ id: 'no-such-session', text: 'x' });
      expect(!missing.ok && missing.error.code).toBe('not_found');
      const empty = await connected.transport.call('sessions.send', { id: created.value.id, text: '   ' });
      expect(!empty.ok && empty.error).toMatchObject({ code: 'invalid_input', message: 'text: must not be empty' });
    });

    it('stops delivering an event after unsubscribe', async () => {
      const seen: unknown[] = [];
      const result = await connected.transport.subscribe('settings.changed', (p) => seen.push(p));
      if (!result.ok) throw new Error(result.error.message);
      await api.settings.set({ key: 'appearance.theme', value: 'dark' });
      await new Promise((r) => setTimeout(r, 100));
      result.value();
      await new Promise((r) => setTimeout(r, 50));
      await api.settings.set({ key: 'appearance.theme', value: 'light' });
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([{ key: 'appearance.theme', value: 'dark' }]);
    });
  });
}
