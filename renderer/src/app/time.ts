const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter for a time zone, or null when the zone is not one (a half-typed "Europe/Be"). Never throws. */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    } catch {
      formatter = null;
    }
    if (formatters.size < 500) formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The browser's own zone, for saying which zone a time is shown in. */
export const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A time in a zone ("1 Dec 2026, 09:00"), or in the local zone when the zone is unknown. */
export function formatInZone(time: number, timeZone: string): string {
  return (zoneFormatter(timeZone) ?? zoneFormatter(LOCAL_ZONE)!).format(time);
}

/** A time of day as the person's locale writes it, to the minute (resets, a turn in a list). */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
