import { settingDefinitions, settingKeys, type SettingChange, type SettingKey, type SettingValues } from '../../contract';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { StorageService } from '../storage/storage-service';

/** Checks one value against its key's schema; the error names the key and what is wrong. */
export function parseSetting<K extends SettingKey>(key: K, value: unknown): SettingValues[K] {
  const def = settingDefinitions[key];
  if (!def) throw new AppError('invalid_input', `key: unknown setting "${String(key)}"`);
  const parsed = def.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('invalid_input', `value: ${issue?.message ?? 'invalid'} (setting "${key}")`);
  }
  return parsed.data as SettingValues[K];
}

/** Typed settings in SQLite; a rejected value never replaces the stored one. */
export class SettingsService implements Service {
  readonly name = 'settings';

  constructor(
    private readonly storage: StorageService,
    private readonly events: EventBus,
  ) {}

  start(): void {}
  stop(): void {}

  get<K extends SettingKey>(key: K): SettingValues[K] {
    const raw = this.storage.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
    return this.decode(key, raw);
  }

  list(): SettingValues {
    const rows = this.storage.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    return Object.fromEntries(settingKeys.map((key) => [key, this.decode(key, stored.get(key))])) as SettingValues;
  }

  set(change: SettingChange): SettingChange {
    const value = parseSetting(change.key, change.value);
    this.storage.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(change.key, JSON.stringify(value), Date.now());
    const stored = { key: change.key, value } as SettingChange;
    this.events.emit('settings.changed', stored);
    return stored;
  }

  /** A stored value that no longer validates (an older version wrote it) reads as the default. */
  private decode<K extends SettingKey>(key: K, raw: string | undefined): SettingValues[K] {
    const def = settingDefinitions[key];
    if (raw === undefined) return def.default as SettingValues[K];
    const parsed = def.schema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data as SettingValues[K];
    log.warn(`stored setting ${key} is invalid, using the default`);
    return def.default as SettingValues[K];
  }
}
