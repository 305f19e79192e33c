import { chatSurfaces, settingDefinitions, type ClaudeCliInfo } from '../../../../contract';
import { BrowserNotificationsCard } from '../../app/browser-notifications';
import { PushCard } from './PushCard';
import { ClaudeCodeCard } from './ClaudeCodeCard';
import { chatCards } from './chat-cards';
import { ConnectionsCard } from './ConnectionsCard';
import { EmbeddingsCard } from './EmbeddingsCard';
import { HealthPanel } from './HealthPanel';
import { MailCard, ReportsCard } from './MailCard';
import { NumberSetting } from './NumberSetting';
import { KeptWorktrees } from './KeptWorktrees';
import { PermissionRules } from './PermissionRules';
import { SettingForm } from './SettingForm';
import { TextSetting } from './TextSetting';
import { ToggleSetting } from './ToggleSetting';
import { VoiceCard } from './VoiceCard';
import { useDraft } from './use-draft';
import { selectFieldErrors, selectHealth, selectValues, useSettings } from './settings-store';

const THEMES = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
] as const;

function ThemeField() {
  const values = useSettings(selectValues);
  const save = useSettings((s) => s.save);
  const def = settingDefinitions['appearance.theme'];
  return (
    <div className="field">
      <label htmlFor="setting-theme">{def.label}</label>
      <select
        id="setting-theme"
        value={values?.['appearance.theme'] ?? 'system'}
        onChange={(e) => void save({ key: 'appearance.theme', value: e.target.value as (typeof THEMES)[number]['value'] })}
      >
        {THEMES.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </select>
      <p className="hint">{def.description}</p>
    </div>
  );
}

/** What an empty field means, true to what health found: never "found" when it was not. */
function pathPlaceholder(claude: ClaudeCliInfo | undefined): string {
  if (!claude || claude.source !== 'path') return 'claude on PATH';
  return claude.found ? `claude on PATH (found: ${claude.path})` : 'claude on PATH (not found there)';
}

function ClaudePathField({ stored }: { stored: string | null }) {
  const health = useSettings(selectHealth);
  const error = useSettings(selectFieldErrors)['claude.cliPath'];
  const save = useSettings((s) => s.save);
  const clearError = useSettings((s) => s.clearError);
  const draft = useDraft(stored ?? '', (text) => save({ key: 'claude.cliPath', value: text.trim() === '' ? null : text.trim() }), () => clearError('claude.cliPath'));
  const def = settingDefinitions['claude.cliPath'];
  return (
    <SettingForm
      id="setting-claude-path"
      label={def.label}
      hint={def.description}
      error={error}
      dirty={draft.dirty}
      onSave={draft.submit}
    >
      <input
        id="setting-claude-path"
        type="text"
        spellCheck={false}
        placeholder={pathPlaceholder(health?.claude)}
        value={draft.value}
        aria-invalid={error ? true : undefined}
        aria-describedby="setting-claude-path-hint"
        onChange={(e) => draft.setValue(e.target.value)}
      />
    </SettingForm>
  );
}

export function SettingsScreen() {
  const loadError = useSettings((s) => s.loadError);
  const values = useSettings(selectValues);
  return (
    <div className="screen">
      <h1>Settings</h1>
      {loadError ? (
        <div className="banner banner-error" role="alert">
          {loadError}
        </div>
      ) : null}
      {values ? (
        <section className="card" aria-labelledby="settings-general">
          <h2 id="settings-general">General</h2>
          <ThemeField />
          <ClaudePathField stored={values['claude.cliPath']} />
        </section>
      ) : null}
      {values ? (
        <section className="card" aria-labelledby="settings-sessions">
          <h2 id="settings-sessions">Sessions</h2>
          {(
            ['sessions.maxProcesses', 'sessions.minFreeMemoryMb', 'sessions.idleStopMinutes', 'sessions.stallMinutes', 'sessions.notifyAfterSeconds', 'approvals.timeoutMinutes'] as const
          ).map((key) => (
            <NumberSetting key={key} settingKey={key} stored={values[key]} />
          ))}
          <ToggleSetting settingKey="sessions.warmSpare" checked={values['sessions.warmSpare']} />
          <ToggleSetting settingKey="sessions.continueAfterLimit" checked={values['sessions.continueAfterLimit']} />
        </section>
      ) : null}
      {values ? (
        <section className="card" aria-labelledby="settings-usage">
          <h2 id="settings-usage">Usage</h2>
          <p className="hint">Warnings, budgets and the hold on scheduled Claude jobs. The Usage screen shows where each stands.</p>
          {(['usage.dailyBudgetUsd', 'usage.monthlyBudgetUsd'] as const).map((key) => (
            <NumberSetting key={key} settingKey={key} stored={values[key]} />
          ))}
          <TextSetting settingKey="usage.surfaceBudgets" stored={values['usage.surfaceBudgets']} />
          <TextSetting settingKey="usage.alertPercents" stored={values['usage.alertPercents']} />
          {(['usage.dailySpendAlertUsd', 'usage.holdJobsAbovePercent', 'usage.windowTokenLimit', 'usage.weekTokenLimit'] as const).map((key) => (
            <NumberSetting key={key} settingKey={key} stored={values[key]} />
          ))}
        </section>
      ) : null}
      {values ? <ClaudeCodeCard values={values} /> : null}
      {values
        ? chatSurfaces.map((surface) => {
            const Card = chatCards[surface];
            return <Card key={surface} values={values} />;
          })
        : null}
      {values ? <VoiceCard values={values} /> : null}
      {values ? <ReportsCard values={values} /> : null}
      {values ? <MailCard values={values} /> : null}
      {values ? <EmbeddingsCard values={values} /> : null}
      {values ? (
        <section className="card" aria-labelledby="settings-server">
          <h2 id="settings-server">Server</h2>
          <TextSetting settingKey="server.allowedHosts" stored={values['server.allowedHosts']} />
        </section>
      ) : null}
      <ConnectionsCard />
      <PermissionRules />
      <KeptWorktrees />
      <BrowserNotificationsCard />
      <PushCard />
      <HealthPanel />
    </div>
  );
}
