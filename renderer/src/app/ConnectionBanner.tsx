import type { ConnectionState } from '../../../client/ws-transport';

/** Says plainly why the window cannot reach Switchboard, and what to do. */
export function ConnectionBanner({ state }: { state: ConnectionState | 'no-token' }) {
  if (state === 'unauthorized') {
    return (
      <div className="banner banner-error" role="alert">
        <strong>This link's token was refused.</strong> Open the address from the <code>UI:</code> line that <code>switchboard serve</code>{' '}
        printed; its token is kept in <code>secrets.json</code> in the data folder.
      </div>
    );
  }
  if (state === 'no-token') {
    return (
      <div className="banner banner-error" role="alert">
        <strong>No token.</strong> Open the address from the <code>UI:</code> line that <code>switchboard serve</code> printed.
      </div>
    );
  }
  if (state === 'reconnecting') {
    return (
      <div className="banner banner-warn" role="status">
        Lost the connection to Switchboard; reconnecting…
      </div>
    );
  }
  return null;
}
