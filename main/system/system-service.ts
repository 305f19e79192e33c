import type { Health, ServiceStatus } from '../../contract';
import { chooseClaudeCommand, probeClaude } from '../claude/cli-locator';
import type { Service } from '../lifecycle';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';

export interface AppInfo {
  name: string;
  version: string;
  shell: 'electron' | 'headless';
  electronVersion: string | null;
}

/** Answers "is everything alright?" for the health panel and the tray's status line. */
export class SystemService implements Service {
  readonly name = 'system';
  private readonly startedAt = Date.now();

  constructor(
    private readonly deps: {
      app: AppInfo;
      dataDir: string;
      env: NodeJS.ProcessEnv;
      storage: StorageService;
      settings: SettingsService;
      statuses: () => ServiceStatus[];
    },
  ) {}

  start(): void {}
  stop(): void {}

  async health(): Promise<Health> {
    const { app, dataDir, env, storage, settings } = this.deps;
    const claude = await probeClaude(chooseClaudeCommand(env, settings.get('claude.cliPath')), env);
    return {
      app: { name: app.name, version: app.version, shell: app.shell },
      runtime: { node: process.versions.node, electron: app.electronVersion, platform: process.platform, arch: process.arch },
      dataDir,
      database: storage.info(),
      claude,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      services: this.deps.statuses(),
    };
  }
}
