import type { ScreenId } from './screen-ids';
import { selectGo, useNavigation } from './navigation-store';

/** Wide enough for list and detail side by side (the narrow layout shows one at a time). */
export const WIDE_QUERY = '(min-width: 760px)';

export function isWide(): boolean {
  return window.matchMedia(WIDE_QUERY).matches;
}

/** On a phone, the way from a detail back to its list; hidden where both are shown. */
export function BackToList({ screen, label }: { screen: ScreenId; label: string }) {
  const go = useNavigation(selectGo);
  return (
    <button className="back-to-list" onClick={() => go(screen)}>
      ‹ {label}
    </button>
  );
}
