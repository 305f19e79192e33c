import { useEffect, useState } from 'react';
import { api, useConnection } from '../api';
import { selectBadge, useInbox } from '../features/inbox/inbox-store';
import { useSessions } from '../features/sessions/sessions-store';
import { useSettings } from '../features/settings/settings-store';
import { useBrowserNotifications } from './browser-notifications';
import { usePresence } from './push';
import { ConnectionBanner } from './ConnectionBanner';
import { ConfirmHost } from './Dialog';
import { ErrorBoundary } from './ErrorBoundary';
import { openLink, selectCurrent, selectGo, useNavigation } from './navigation-store';
import { screens } from './screens';
import { useTheme } from './use-theme';
import { WindowMeterMini } from '../features/usage/WindowMeterMini';

export function App() {
  const current = useNavigation(selectCurrent);
  const go = useNavigation(selectGo);
  const connection = useConnection((s) => s.state);
  const theme = useSettings((s) => s.values?.['appearance.theme'] ?? 'system');
  const start = useSettings((s) => s.start);
  useTheme(theme);
  useBrowserNotifications();
  usePresence();
  useEffect(() => start(), [start]);
  const [menuOpen, setMenuOpen] = useState(false);
  // The inbox's count on every screen: what needs you, and what you have not read.
  const waiting = useInbox(selectBadge);
  const needsYou = useInbox((s) => s.counts.needsYou);
  const watchInbox = useInbox((s) => s.watch);
  useEffect(() => watchInbox(), [watchInbox]);
  const watchApprovals = useSessions((s) => s.watchApprovals);
  useEffect(() => watchApprovals(), [watchApprovals]);
  useEffect(() => api.on('system.open', ({ link }) => openLink(link)), []);

  const screen = screens.find((s) => s.id === current) ?? screens[0]!;
  const Screen = screen.component;
  return (
    <div className="frame">
      <nav className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Screens">
        <div className="brand">
          <button className="menu-toggle" aria-expanded={menuOpen} aria-label="Menu" onClick={() => setMenuOpen(!menuOpen)}>
            ☰
          </button>
          Switchboard
          <span className="brand-screen">{screen.label}</span>
          {waiting ? (
            <button className={`badge ${needsYou ? 'badge-warn' : ''} brand-waiting`} title="Open the inbox" aria-label={`Inbox: ${waiting}`} onClick={() => go('inbox')}>
              {waiting}
            </button>
          ) : null}
        </div>
        <ul>
          {screens.map((s) => (
            <li key={s.id}>
              <button
                className={s.id === current ? 'nav-item active' : 'nav-item'}
                aria-current={s.id === current ? 'page' : undefined}
                onClick={() => {
                  setMenuOpen(false);
                  go(s.id);
                }}
              >
                {s.label}
                {s.id === 'inbox' && waiting ? (
                  <span className={`badge ${needsYou ? 'badge-warn' : ''} nav-count`} data-testid="inbox-count" aria-label={`${needsYou} need${needsYou === 1 ? 's' : ''} you, ${waiting - needsYou} unread`}>
                    {waiting}
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
        <WindowMeterMini
          onOpen={() => {
            setMenuOpen(false);
            go('usage');
          }}
        />
        <div className={`connection connection-${connection}`} role="status">
          {connection === 'open' ? 'Connected' : connection === 'reconnecting' ? 'Reconnecting…' : connection === 'connecting' ? 'Connecting…' : 'Not connected'}
        </div>
      </nav>
      <main className="content">
        <ConnectionBanner state={connection} />
        {connection === 'unauthorized' || connection === 'no-token' ? null : (
          // Keyed by screen: going elsewhere and back starts it afresh.
          <ErrorBoundary key={screen.id} screen={screen.id} where={`the ${screen.label} screen`} onLeave={() => go('sessions')}>
            <Screen />
          </ErrorBoundary>
        )}
      </main>
      <ConfirmHost />
    </div>
  );
}
