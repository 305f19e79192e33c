import { useEffect, useMemo } from 'react';
import { money, type Budget, type PlanWindow, type UsageFigures, type UsageGroup } from '../../../../contract';
import { selectGo, selectRoute, useNavigation } from '../../app/navigation-store';
import { surfaceLabel } from '../../app/surfaces';
import { clockTime } from '../../app/time';
import { meterLevel } from './meter-level';
import { UsageChart, type ChartSeries } from './UsageChart';
import { useUsage } from './usage-store';

const answers = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'answer' : 'answers'}`;

const tokens = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));
const bytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.round(n / 1e6)} MB`);
const when = (ms: number) => new Date(ms).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const allTokens = (f: UsageFigures) => f.input + f.output + f.cacheWrite + f.cacheRead;

/** How full a plan window is, and whose figure that is. */
function WindowMeter({ window }: { window: PlanWindow }) {
  const name = window.kind === 'five_hour' ? '5-hour window' : 'Week';
  const percent = window.percent === null ? null : Math.round(window.percent);
  const level = percent === null ? '' : meterLevel(percent);
  const used = `${tokens(window.tokens)} tokens (${money(window.costUsd)})`;
  return (
    <section className="card usage-window" aria-label={name}>
      <div className="card-head">
        <h2>{name}</h2>
        <span className="badge" data-testid={`${window.kind}-source`}>
          {window.source === 'plan' ? "Plan's own figure" : 'Estimate'}
        </span>
      </div>
      <p className="usage-big" data-testid={`${window.kind}-percent`}>
        {percent === null ? '—' : `${percent}%`}
      </p>
      <div className={`meter ${level}`} role="meter" aria-label={`${name} used`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent ?? 0}>
        <div style={{ width: `${percent ?? 0}%` }} />
      </div>
      <p className="muted">
        {window.resetsAt ? `Resets ${window.kind === 'five_hour' ? `at ${clockTime(window.resetsAt)}` : when(window.resetsAt)}. ` : window.kind === 'seven_day' ? 'The last seven days. ' : 'No window open. '}
        {window.source === 'plan'
          ? `Reported by Claude at ${clockTime(window.observedAt!)}.`
          : window.basis === 'setting'
            ? `${used} against the limit set in Settings → Usage.`
            : window.basis === 'history'
              ? `${used} against the ${window.kind === 'five_hour' ? 'largest earlier window' : 'busiest earlier week'}. Set a limit in Settings → Usage for warnings.`
              : `${used} so far; nothing earlier to compare with yet.`}
      </p>
      {window.kind === 'five_hour' && window.resetsAt ? (
        <p className="muted">
          Burn rate {tokens(window.burnTokensPerMin)} tokens/min, {money(window.costPerHour)}/h.{' '}
          {window.projectedFullAt ? <strong>At this pace it is full at {clockTime(window.projectedFullAt)}.</strong> : 'At this pace it lasts until the reset.'}
        </p>
      ) : null}
    </section>
  );
}

function BudgetLine({ budget }: { budget: Budget }) {
  const label = budget.scope === 'day' ? 'Today' : budget.scope === 'month' ? 'This month' : `Today on ${surfaceLabel(budget.scope.slice(8))}`;
  const percent = Math.min(100, (budget.spentUsd / budget.capUsd) * 100);
  return (
    <li>
      <span>
        {label}: {money(budget.spentUsd)} of {money(budget.capUsd)}
      </span>
      <div className={`meter ${meterLevel(percent)}`} role="meter" aria-label={`${label} budget`} aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
        <div style={{ width: `${percent}%` }} />
      </div>
    </li>
  );
}

function Breakdown({ title, groups, label = (g) => g.label }: { title: string; groups: UsageGroup[]; label?: (g: UsageGroup) => string }) {
  const top = groups[0]?.costUsd || 1;
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {groups.length ? (
        <ul className="usage-bars">
          {groups.slice(0, 8).map((g) => (
            <li key={g.key} title={`${tokens(allTokens(g))} tokens, ${answers(g.requests)}`}>
              <span className="usage-bar-label">{label(g)}</span>
              <span className="usage-bar" style={{ width: `${Math.max(2, (g.costUsd / top) * 100)}%` }} />
              <span className="usage-bar-value">{money(g.costUsd)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Nothing in this range.</p>
      )}
    </section>
  );
}

/** Day → session → turn, each a row; a turn opens its conversation. */
function DrillDown() {
  const summary = useUsage((s) => s.summary);
  const daySessions = useUsage((s) => s.daySessions);
  const sessionTurns = useUsage((s) => s.sessionTurns);
  const openDay = useUsage((s) => s.openDay);
  const openSession = useUsage((s) => s.openSession);
  const route = useNavigation(selectRoute);
  const go = useNavigation(selectGo);
  const [day, sessionId] = route.path;
  useEffect(() => {
    void openDay(day ?? null);
  }, [day, openDay]);
  useEffect(() => {
    if (day) void openSession(day, sessionId ?? null);
  }, [day, sessionId, openSession]);
  const days = (summary?.days ?? []).filter((d) => d.requests).reverse();
  return (
    <section className="card" aria-label="By day">
      <h2>By day</h2>
      {days.length ? null : <p className="muted">No Claude use in this range yet.</p>}
      <table className="usage-table">
        <tbody>
          {days.map((d) => (
            <DayRows key={d.day} figures={d} label={d.day} open={d.day === day} onToggle={() => go('usage', d.day === day ? [] : [d.day])}>
              {d.day === day && daySessions?.day === day
                ? daySessions.sessions.map((s) => (
                    <SessionRows key={s.key} group={s} open={s.key === sessionId} onToggle={() => go('usage', s.key === sessionId ? [d.day] : [d.day, s.key])}>
                      {s.key === sessionId && sessionTurns?.sessionId === s.key
                        ? sessionTurns.turns.map((t) => (
                            <tr key={`${t.turnId ?? ''}${t.at}`} className="usage-turn">
                              <td>
                                <span className="muted">{clockTime(t.at)}</span> {t.label}
                              </td>
                              <td className="muted">{t.model}</td>
                              <td>{tokens(allTokens(t))}</td>
                              <td>{money(t.costUsd)}</td>
                            </tr>
                          ))
                        : null}
                      {s.key === sessionId ? (
                        <tr className="usage-turn">
                          <td colSpan={4}>
                            <button className="link" onClick={() => go('chats', [s.key])}>
                              Open the conversation
                            </button>
                          </td>
                        </tr>
                      ) : null}
                    </SessionRows>
                  ))
                : null}
            </DayRows>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function DayRows({ figures, label, open, onToggle, children }: { figures: UsageFigures; label: string; open: boolean; onToggle: () => void; children: React.ReactNode }) {
  return (
    <>
      <tr className="usage-day">
        <td>
          <button className="link" aria-expanded={open} onClick={onToggle}>
            {open ? '▾' : '▸'} {label}
          </button>
        </td>
        <td className="muted">{answers(figures.requests)}</td>
        <td>{tokens(allTokens(figures))}</td>
        <td>{money(figures.costUsd)}</td>
      </tr>
      {children}
    </>
  );
}

function SessionRows({ group, open, onToggle, children }: { group: UsageGroup & { surface: string | null }; open: boolean; onToggle: () => void; children: React.ReactNode }) {
  return (
    <>
      <tr className="usage-session">
        <td>
          <button className="link" aria-expanded={open} onClick={onToggle}>
            {open ? '▾' : '▸'} {group.label}
          </button>
        </td>
        <td className="muted">{group.surface ? surfaceLabel(group.surface) : ''}</td>
        <td>{tokens(allTokens(group))}</td>
        <td>{money(group.costUsd)}</td>
      </tr>
      {children}
    </>
  );
}

function SystemPanel() {
  const system = useUsage((s) => s.system);
  if (!system) return null;
  return (
    <section className="card" aria-label="This machine">
      <h2>This machine</h2>
      <div className="usage-stats">
        <div>
          <span className="muted">CPU</span> {Math.round(system.cpu.percent)}% <span className="muted">of {system.cpu.cores} cores</span>
        </div>
        <div>
          <span className="muted">Memory</span> {bytes(system.memory.totalBytes - system.memory.freeBytes)} <span className="muted">of {bytes(system.memory.totalBytes)}</span>
        </div>
        {system.disk ? (
          <div>
            <span className="muted">Disk free</span> {bytes(system.disk.freeBytes)} <span className="muted">of {bytes(system.disk.totalBytes)}</span>
          </div>
        ) : null}
        <div>
          <span className="muted">Today</span> {system.today.turns} turns, {system.today.sessions} sessions, {system.today.jobRuns} job runs
        </div>
        <div>
          <span className="muted">Kept</span> {system.counts.sessions} sessions, {system.counts.memories} memories, {system.counts.jobsEnabled} of {system.counts.jobs} jobs on
        </div>
      </div>
      <h3>Claude processes</h3>
      {system.claudeProcesses.length ? (
        <ul className="usage-processes">
          {system.claudeProcesses.map((p) => (
            <li key={p.pid}>
              {p.title} <span className="muted">pid {p.pid}</span> {p.rssBytes === null ? '' : bytes(p.rssBytes)}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None running.</p>
      )}
    </section>
  );
}

/** What Claude cost, how full the plan windows are, and where it went: by day, surface, project, model and session. */
export function UsageScreen() {
  const start = useUsage((s) => s.start);
  const summary = useUsage((s) => s.summary);
  const days = useUsage((s) => s.days);
  const setDays = useUsage((s) => s.setDays);
  const error = useUsage((s) => s.error);
  useEffect(() => start(), [start]);
  const chart = useMemo(() => {
    if (!summary) return null;
    const labels = summary.days.map((d) => d.day);
    const cost: ChartSeries[] = [{ label: 'Cost', values: summary.days.map((d) => d.costUsd), color: 'var(--accent)' }];
    const used: ChartSeries[] = [
      { label: 'Input + output', values: summary.days.map((d) => d.input + d.output), color: 'var(--accent)' },
      { label: 'Cache write', values: summary.days.map((d) => d.cacheWrite), color: 'var(--warn)' },
      { label: 'Cache read', values: summary.days.map((d) => d.cacheRead), color: 'var(--ok)' },
    ];
    return { labels, cost, used };
  }, [summary]);
  return (
    <div className="screen usage-screen">
      <div className="card-head">
        <h1>Usage</h1>
        <label className="row">
          <span className="muted">Show</span>
          <select aria-label="Range" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={7}>7 days</option>
            <option value={30}>30 days</option>
            <option value={90}>90 days</option>
            <option value={365}>a year</option>
          </select>
        </label>
      </div>
      {error ? <p className="field-error">{error}</p> : null}
      {summary ? (
        <>
          <div className="grid-2 usage-grid">
            <WindowMeter window={summary.windows.fiveHour} />
            <WindowMeter window={summary.windows.week} />
          </div>
          <section className="card" aria-label="Spend">
            <div className="usage-stats usage-money">
              <div>
                <span className="muted">Today</span> <strong data-testid="today-cost">{money(summary.today.costUsd)}</strong>
              </div>
              <div>
                {/* Calendar days (today and the six before), not the plan's rolling week above: named by its first day so the two are not read as one figure. */}
                <span className="muted">Since {weekStartLabel()}</span> <strong>{money(summary.week.costUsd)}</strong>
              </div>
              <div>
                <span className="muted">This month</span> <strong>{money(summary.month.costUsd)}</strong>
              </div>
              <div>
                <span className="muted">{summary.from} to {summary.to}</span> <strong>{money(summary.totals.costUsd)}</strong> <span className="muted">{tokens(allTokens(summary.totals))} tokens</span>
              </div>
            </div>
            {summary.budgets.length ? (
              <ul className="usage-budgets" aria-label="Budgets">
                {summary.budgets.map((b) => (
                  <BudgetLine key={b.scope} budget={b} />
                ))}
              </ul>
            ) : null}
            {summary.unpriced.length ? <p className="muted">No price known for {summary.unpriced.join(', ')}: counted as $0.</p> : null}
          </section>
          {chart ? (
            <section className="card usage-charts">
              <UsageChart title="Cost per day" days={chart.labels} series={chart.cost} kind="bars" format={money} />
              <UsageChart title="Tokens per day" days={chart.labels} series={chart.used} kind="lines" format={tokens} />
            </section>
          ) : null}
          <div className="grid-3 usage-grid">
            <Breakdown title="By surface" groups={summary.bySurface} label={(g) => surfaceLabel(g.key)} />
            <Breakdown title="By project" groups={summary.byProject} label={(g) => g.label.split('/').slice(-2).join('/') || g.label} />
            <Breakdown title="By model" groups={summary.byModel} />
          </div>
          <DrillDown />
          <SystemPanel />
        </>
      ) : (
        <p className="muted">Counting…</p>
      )}
    </div>
  );
}

/** The first of the seven calendar days the summary's week adds up ("Nov 30"). */
function weekStartLabel(): string {
  const start = new Date();
  start.setDate(start.getDate() - 6);
  return start.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}
