import type { SessionSummary } from '../../../../contract';

/**
 * The Sessions list: newest first, narrowed by a title search and a surface; the sessions of a
 * scheduled job's fresh runs (keyed `job:<job>:<run>`) folded under the job, unless a surface was
 * chosen (then every session is listed) or the run is the one open.
 */
export function groupSessions(
  sessions: readonly SessionSummary[],
  options: { query: string; surface: string; hidden: ReadonlySet<string>; selectedId: string | null },
): { main: SessionSummary[]; jobs: (readonly [string, SessionSummary[]])[] } {
  const words = options.query.trim().toLowerCase();
  const shown = sessions
    .filter((s) => !options.hidden.has(s.id) && (!options.surface || s.surface === options.surface) && (!words || s.title.toLowerCase().includes(words)))
    .sort((a, b) => b.updatedAt - a.updatedAt);
  const jobs = new Map<string, SessionSummary[]>();
  const main: SessionSummary[] = [];
  for (const s of shown) {
    const job = s.surface === 'schedule' && /^job:[^:]+:/.test(s.surfaceKey) ? s.surfaceKey.split(':')[1]! : null;
    if (job && !options.surface && s.id !== options.selectedId) jobs.set(job, [...(jobs.get(job) ?? []), s]);
    else main.push(s);
  }
  // Named by the job, without the run's time that each session's title carries.
  return { main, jobs: [...jobs.values()].map((runs) => [runs[0]!.title.replace(/ \(\d{4}-\d\d-\d\dT[\d:]+\)$/, ''), runs] as const) };
}
