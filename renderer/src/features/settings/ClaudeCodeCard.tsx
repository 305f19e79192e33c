import { useEffect, useState } from 'react';
import type { ClaudeCodeConnection, SettingValues } from '../../../../contract';
import { confirmAction } from '../../app/Dialog';
import { FieldError } from '../../app/FieldError';
import { api } from '../../api';
import { NumberSetting } from './NumberSetting';

/** Settings → Claude Code: install Switchboard's plugin (MCP server and hooks) into the user's Claude Code, and see what the CLI reports. */
export function ClaudeCodeCard({ values }: { values: SettingValues }) {
  const [status, setStatus] = useState<ClaudeCodeConnection | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [allowReadOnly, setAllowReadOnly] = useState(false);
  // Asked again when the CLI's path changes in General: what it reports is that CLI's.
  const cliPath = values['claude.cliPath'];
  useEffect(
    () =>
      void api.claudeCode.status({}).then((r) => {
        if (!r.ok) return setError(r.error.message);
        setError(null);
        setStatus(r.value);
        setAllowReadOnly(r.value.allowed.length > 0);
      }),
    [cliPath],
  );
  const act = async (work: () => ReturnType<typeof api.claudeCode.connect>) => {
    setBusy(true);
    setError(null);
    const r = await work();
    setBusy(false);
    if (r.ok) setStatus(r.value);
    else setError(r.error.message);
  };
  const disconnect = async () => {
    const ok = await confirmAction({ title: 'Disconnect Claude Code?', body: 'The Switchboard plugin is uninstalled: its MCP tools and hooks stop in new Claude Code sessions.', confirm: 'Disconnect' });
    if (ok) await act(() => api.claudeCode.disconnect({}));
  };
  return (
    <section className="card" aria-labelledby="settings-claude-code">
      <h2 id="settings-claude-code">Claude Code</h2>
      <p className="hint">
        Connect Claude Code on this machine to Switchboard: its MCP tools (remember, schedule, history, notify and ask you) in every session, and hooks that bring a
        terminal session&apos;s questions and stops to this window and your phone. Switchboard installs its plugin with your own <code>claude</code>, at user scope.
      </p>
      <p role="status" data-testid="claude-code-state">
        {!status ? (
          <span className="badge">Checking…</span>
        ) : status.connected && status.stale ? (
          <span className="badge badge-error">Needs reconnecting</span>
        ) : status.connected ? (
          <span className="badge badge-ok">Connected</span>
        ) : !status.claude.found ? (
          <span className="badge badge-error">Claude Code not found</span>
        ) : (
          <span className="badge">Not connected</span>
        )}{' '}
        {status?.claude.found ? <span className="muted">{status.claude.version ? `claude ${status.claude.version}` : status.claude.path}</span> : null}
      </p>
      <label className="check">
        <input type="checkbox" checked={allowReadOnly} onChange={(e) => setAllowReadOnly(e.target.checked)} disabled={busy} />
        Let Claude Code use Switchboard&apos;s read-only tools (recall, search history, list sessions…) without asking: allow rules in your Claude Code settings, taken out by Disconnect
      </label>
      <div className="row-actions">
        <button onClick={() => void act(() => api.claudeCode.connect({ allowReadOnly }))} disabled={busy || !status?.claude.found}>
          {busy ? 'Working…' : status?.stale ? 'Reconnect' : status?.connected ? 'Connect again' : 'Connect Claude Code'}
        </button>
        {status?.connected ? (
          <button onClick={() => void disconnect()} disabled={busy}>
            Disconnect
          </button>
        ) : null}
      </div>
      <FieldError error={error ?? (status && !status.claude.found ? status.error : (status?.stale ?? null))} />
      {status?.plugin || status?.mcp ? (
        <details>
          <summary>What Claude Code reports</summary>
          <pre className="cli-output">{[status.plugin, status.mcp].filter(Boolean).join('\n\n')}</pre>
        </details>
      ) : null}
      <NumberSetting settingKey="hooks.phoneDelaySeconds" stored={values['hooks.phoneDelaySeconds']} />
      <NumberSetting settingKey="hooks.questionWaitSeconds" stored={values['hooks.questionWaitSeconds']} />
      <NumberSetting settingKey="hooks.replyWindowSeconds" stored={values['hooks.replyWindowSeconds']} />
    </section>
  );
}
