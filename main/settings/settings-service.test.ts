import { describe, expect, it } from 'vitest';
import { settingDefinitions, type SettingChange } from '../../contract';
import { testCore, testTempDir } from '../testing/temp-core';

async function started(dir?: string) {
  const dataDir = dir ?? testTempDir();
  const core = testCore(dataDir);
  await core.start();
  return { core, dataDir };
}

describe('SettingsService', () => {
  it('reads defaults before anything is stored', async () => {
    const { core } = await started();
    const defaults = Object.fromEntries(Object.entries(settingDefinitions).map(([key, def]) => [key, def.default]));
    expect(core.settings.list()).toEqual(defaults);
    expect(core.settings.list()).toMatchObject({ 'appearance.theme': 'system', 'claude.cliPath': null, 'sessions.maxProcesses': 4 });
    await core.stop();
  });

  it('stores a valid value, announces it, and keeps it across a restart', async () => {
    const { core, dataDir } = await started();
    const seen: unknown[] = [];
    core.events.subscribe((name, payload) => seen.push([name, payload]));
    core.settings.set({ key: 'appearance.theme', value: 'dark' });
    expect(seen).toEqual([['settings.changed', { key: 'appearance.theme', value: 'dark' }]]);
    await core.stop();
    const again = await started(dataDir);
    expect(again.core.settings.get('appearance.theme')).toBe('dark');
    await again.core.stop();
  });

  it('rejects a value of the wrong type, naming the field, and keeps the old one', async () => {
    const { core } = await started();
    core.settings.set({ key: 'appearance.theme', value: 'light' });
    expect(() => core.settings.set({ key: 'appearance.theme', value: 42 } as unknown as SettingChange)).toThrow(/^value: .*appearance\.theme/);
    expect(() => core.settings.set({ key: 'claude.cliPath', value: '   ' })).toThrow(/value: must not be empty/);
    expect(core.settings.get('appearance.theme')).toBe('light');
    expect(core.settings.get('claude.cliPath')).toBeNull();
    await core.stop();
  });

  it('refuses a relative Claude CLI path, which would depend on where Switchboard started', async () => {
    const { core } = await started();
    const result = await core.router.call('settings.set', { key: 'claude.cliPath', value: 'bin/claude' }, { surface: 'desktop', actor: 'desktop' });
    expect(!result.ok && result.error.message).toMatch(/must be a full path to the claude binary/);
    expect(core.settings.get('claude.cliPath')).toBeNull();
    await core.stop();
  });

  it('refuses a warning threshold past 100 percent, naming the range', async () => {
    const { core } = await started();
    const result = await core.router.call('settings.set', { key: 'usage.alertPercents', value: '80, 150' }, { surface: 'desktop', actor: 'desktop' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(!result.ok && result.error.message).toMatch(/at most 100/);
    expect(core.settings.get('usage.alertPercents')).toBe('80, 95');
    expect((await core.router.call('settings.set', { key: 'usage.alertPercents', value: '50, 100' }, { surface: 'desktop', actor: 'desktop' })).ok).toBe(true);
    await core.stop();
  });

  it('reads a stored value that no longer validates as the default', async () => {
    const { core } = await started();
    core.storage.db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('appearance.theme', '\"sepia\"', 0)").run();
    expect(core.settings.get('appearance.theme')).toBe('system');
    await core.stop();
  });
});
