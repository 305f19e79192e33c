import type { ScreenId } from './screen-ids';
import { selectGo, useNavigation } from './navigation-store';

/**
 * What an address names is not here (deleted, or a wrong link): every screen says so the same way,
 * in the detail pane, with the way back to its list.
 */
export function NotFound({ what, screen, label }: { what: string; screen: ScreenId; label: string }) {
  const go = useNavigation(selectGo);
  return (
    <div className="not-found" role="alert" data-testid="not-found">
      <p>{what} is not here: it was deleted, or the link is wrong.</p>
      <button onClick={() => go(screen)}>Back to {label}</button>
    </div>
  );
}
