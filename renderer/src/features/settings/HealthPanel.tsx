import { useEffect, type ReactNode } from 'react';
import { selectHealth, useSettings } from './settings-store';

const HEALTH_REFRESH_MS = 5000;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min` : `${seconds} s`;
}

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

/** What is running, where the data lives, and whether Claude Code was found. */
export function HealthPanel() {
  const health = useSettings(selectHealth);
  const loading = useSettings((s) => s.healthLoading);
  const refresh = useSettings((s) => s.refreshHealth);
  // Figures from when the panel opened go stale (uptime, event loop, database size): keep them current while shown.
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && void refresh(true), HEALTH_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return (
    <section className="card" aria-labelledby="health-title">
      <div className="card-head">
        <h2 id="health-title">Health</h2>
        <button onClick={() => void refresh()} disabled={loading}>
          {loading ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {health ? (
        <dl className="facts">
          <Row label="Switchboard" testId="app-version">
            {health.app.version} ({health.app.shell === 'electron' ? 'desktop app' : 'headless server'})
          </Row>
          <Row label="Runtime">
            Node {health.runtime.node}
            {health.runtime.electron ? `, Electron ${health.runtime.electron}` : ''} on {health.runtime.platform}/{health.runtime.arch}
          </Row>
          <Row label="Claude CLI" testId="claude-cli">
            {health.claude.found ? (
              <>
                <span className="badge badge-ok" data-testid="claude-version">
                  {health.claude.version}
                </span>{' '}
                <code>{health.claude.path}</code>
              </>
            ) : (
              <>
                <span className="badge badge-error">not found</span> {health.claude.error}
              </>
            )}
            <span className="muted"> (from {health.claude.source === 'env' ? 'SWITCHBOARD_CLAUDE' : health.claude.source === 'setting' ? 'the setting' : 'PATH'})</span>
          </Row>
          <Row label="Data folder">
            <code>{health.dataDir}</code>
          </Row>
          <Row label="Database" testId="database">
            {formatBytes(health.database.sizeBytes)}, schema version {health.database.schemaVersion}, SQLite {health.database.sqliteVersion}, sqlite-vec{' '}
            {health.database.sqliteVecVersion}
          </Row>
          <Row label="Integrity" testId="integrity">
            {health.database.integrity.state === 'corrupt' ? (
              <span className="badge badge-error">failed: {health.database.integrity.detail}. Nothing more is written; restore a backup or move the file aside.</span>
            ) : health.database.integrity.state === 'ok' ? (
              <>
                <span className="badge badge-ok">ok</span>
                {health.database.integrity.checkedAt ? <span className="muted"> checked {new Date(health.database.integrity.checkedAt).toLocaleString()}</span> : null}
              </>
            ) : (
              <span className="muted">{health.database.integrity.state === 'checking' ? 'checking in the background…' : 'not checked yet'}</span>
            )}
          </Row>
          <Row label="Responsiveness">
            event loop held {health.eventLoop.p99Ms} ms at p99, {health.eventLoop.maxMs} ms at most, over the last minute
          </Row>
          <Row label="Uptime" testId="uptime">{formatUptime(health.uptimeSeconds)}</Row>
          <Row label="Services" testId="services">
            <ul className="services">
              {health.services.map((s) => {
                // A bot is a running service while it is off: its connection is what the user asks about.
                const state = s.connection?.state ?? s.state;
                const ok = state === 'running' || state === 'connected';
                const bad = state === 'failed' || state === 'error';
                const detail = s.error ?? s.connection?.detail;
                return (
                  <li key={s.name} data-testid={`service-${s.name}`}>
                    <span className={`badge ${ok ? 'badge-ok' : bad ? 'badge-error' : ''}`}>{state}</span> {s.name}
                    {detail ? <span className="muted"> — {detail}</span> : null}
                  </li>
                );
              })}
            </ul>
          </Row>
        </dl>
      ) : (
        <p className="muted">{loading ? 'Checking…' : ''}</p>
      )}
    </section>
  );
}
