import { useEffect, useState } from 'react';
import type { PlanWindow } from '../../../../contract';
import { api } from '../../api';
import { clockTime } from '../../app/time';
import { meterLevel } from './meter-level';

/** The 5-hour window in the sidebar, on every screen: how full it is, and whether that is the plan's figure. */
export function WindowMeterMini({ onOpen }: { onOpen: () => void }) {
  const [window, setWindow] = useState<PlanWindow | null>(null);
  useEffect(() => {
    const load = () => void api.usage.windows({}).then((r) => r.ok && setWindow(r.value.fiveHour));
    load();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('usage.changed', () => {
      timer ??= setTimeout(() => {
        timer = null;
        load();
      }, 2000);
    });
    // A window resets on the clock, with no usage to announce it.
    const tick = setInterval(load, 60_000);
    return () => {
      off();
      clearInterval(tick);
      if (timer) clearTimeout(timer);
    };
  }, []);
  if (!window || window.percent === null || !window.resetsAt) return null;
  const percent = Math.round(window.percent);
  const label = `5-hour window ${percent}%${window.source === 'estimate' ? ' (estimate)' : ''}`;
  return (
    <button className="window-mini" onClick={onOpen} title={`${label}, resets at ${clockTime(window.resetsAt)}`} data-testid="window-mini">
      <span>
        5h window {percent}%{window.source === 'estimate' ? ' est.' : ''}
      </span>
      <span className={`meter ${meterLevel(percent)}`} role="meter" aria-label={label} aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
        <span style={{ width: `${percent}%` }} />
      </span>
    </button>
  );
}
