import { create } from 'zustand';
import { parseRoute, routeHash, type Route } from './route';
import { SCREEN_IDS, type ScreenId } from './screen-ids';

interface NavigationStore {
  route: Route;
  /** Goes to a screen (and a path under it), as a new history entry: Back returns here. */
  go: (screen: ScreenId, path?: string[]) => void;
  /** Changes the path without a history entry (a selection made for the user, not by them). */
  replace: (screen: ScreenId, path?: string[]) => void;
}

const current = () => parseRoute(location.hash, SCREEN_IDS);

/**
 * The address bar is the navigation: every screen, session, conversation, job and run has an
 * address, Back and Forward work, a reload stays where it was, and a link opens what it names.
 */
export const useNavigation = create<NavigationStore>((set, get) => {
  window.addEventListener('hashchange', () => set({ route: current() }));
  return {
    route: current(),
    go: (screen, path = []) => {
      const hash = routeHash({ screen, path });
      if (location.hash !== hash) location.hash = hash;
      set({ route: { screen, path } });
    },
    replace: (screen, path = []) => {
      // An address changed since this selection was decided (its hashchange not yet seen: a link, Back,
      // a typed address) wins: overwriting it would drop where the user went for the list's first entry.
      if (routeHash(current()) !== routeHash(get().route)) return;
      history.replaceState(null, '', `${location.pathname}${location.search}${routeHash({ screen, path })}`);
      set({ route: { screen, path } });
    },
  };
});

export const selectCurrent = (s: NavigationStore) => s.route.screen;
export const selectRoute = (s: NavigationStore) => s.route;
export const selectGo = (s: NavigationStore) => s.go;

/** Opens an address from outside the window's own buttons (a notification, a link from Telegram). */
export function openLink(hash: string): void {
  if (hash.startsWith('#/')) location.hash = hash;
}
