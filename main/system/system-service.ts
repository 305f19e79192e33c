import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ClaudeCliInfo, Health, ServiceStatus } from '../../contract';
import { chooseClaudeCommand, probeClaude } from '../claude/cli-locator';
import { disposableInterval, type IDisposable } from '../disposable';
import type { Service } from '../lifecycle';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';

export interface AppInfo {
  name: string;
  version: string;
  shell: 'electron' | 'headless';
  electronVersion: string | null;
}

const PROBE_TTL_MS = 60_000;

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

  private delay: IntervalHistogram | null = null;
  /** The CLI's version, asked at most once a minute per command: a panel kept open refreshes every few seconds. */
  private probe: { command: string; at: number; info: Promise<ClaudeCliInfo> } | null = null;
  private window: IDisposable | null = null;

  start(): void {
    this.delay = monitorEventLoopDelay({ resolution: 10 });
    this.delay.enable();
    // A window of about a minute: what the loop did lately, not since start.
    this.window = disposableInterval(() => this.delay?.reset(), 60_000);
  }

  stop(): void {
    this.window?.dispose();
    this.delay?.disable();
    this.delay = null;
  }

  /** Event-loop delay in ms: the histogram is in nanoseconds, and zero until it has a sample. */
  eventLoop(): Health['eventLoop'] {
    const h = this.delay;
    const ms = (ns: number) => (Number.isFinite(ns) && h && h.count ? Math.round(ns / 1e4) / 100 : 0);
    return { p50Ms: ms(h?.percentile(50) ?? 0), p99Ms: ms(h?.percentile(99) ?? 0), maxMs: ms(h?.max ?? 0) };
  }

  async health(): Promise<Health> {
    const { app, dataDir, env, storage, settings } = this.deps;
    const choice = chooseClaudeCommand(env, settings.get('claude.cliPath'));
    const key = `${choice.source}:${choice.command}`;
    if (!this.probe || this.probe.command !== key || Date.now() - this.probe.at > PROBE_TTL_MS) this.probe = { command: key, at: Date.now(), info: probeClaude(choice, env) };
    const claude = await this.probe.info;
    return {
      app: { name: app.name, version: app.version, shell: app.shell },
      runtime: { node: process.versions.node, electron: app.electronVersion, platform: process.platform, arch: process.arch, root: process.getuid?.() === 0 },
      dataDir,
      database: storage.info(),
      claude,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      services: this.deps.statuses(),
      eventLoop: this.eventLoop(),
    };
  }
}
