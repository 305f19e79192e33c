/** Where the window is: a screen and the path under it (`#/sessions/<id>`, `#/chats/<session>/<message>`). */
export interface Route {
  screen: string;
  path: string[];
}

/** `#/schedules/job-1/runs/run-2` → { screen: 'schedules', path: ['job-1', 'runs', 'run-2'] }. Unknown screens fall back to the first. */
export function parseRoute(hash: string, screens: readonly string[]): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [screen, ...path] = parts;
  if (!screen || !screens.includes(screen)) return { screen: screens[0]!, path: [] };
  return { screen, path };
}

export function routeHash(route: Route): string {
  return `#/${[route.screen, ...route.path].map(encodeURIComponent).join('/')}`;
}
