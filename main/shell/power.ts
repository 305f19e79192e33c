import { powerMonitor } from 'electron';

/** Tells the core when the machine wakes, so runs that fell during sleep are handled at once. */
export function onWake(listener: () => void): void {
  powerMonitor.on('resume', listener);
  powerMonitor.on('unlock-screen', listener);
}
