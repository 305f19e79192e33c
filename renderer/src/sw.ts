// The service worker: Web Push for what needs the user, shown as a notification; a tap opens the item in
// the window (an open one focused and sent there, else a new one). Built with the renderer as sw.js, at the
// root of the UI so its scope is all of it. It imports nothing: a classic worker script.

/** What the server sends (main/push/push-service.ts, PushPayload). */
interface Payload {
  title: string;
  body: string;
  link: string;
  tag: string;
  itemId: number | null;
}

// The few worker types used, declared here (the DOM and WebWorker libraries do not mix in one program).
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  postMessage(message: unknown): void;
}
interface WorkerScope {
  registration: { scope: string; showNotification(title: string, options: Record<string, unknown>): Promise<void> };
  clients: { matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>; openWindow(url: string): Promise<unknown>; claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: string, listener: (event: never) => void): void;
}
interface ExtendableEvent {
  waitUntil(work: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown; text(): string } | null;
}
interface NotificationClickEvent extends ExtendableEvent {
  notification: { data: unknown; close(): void };
}

const sw = self as unknown as WorkerScope;

function payloadOf(event: PushEvent): Payload {
  try {
    const data = event.data?.json() as Partial<Payload> | undefined;
    if (data && typeof data.title === 'string') return { title: data.title, body: data.body ?? '', link: data.link ?? '#/inbox', tag: data.tag ?? 'switchboard', itemId: data.itemId ?? null };
  } catch {
    // Not JSON: shown as it came.
  }
  return { title: 'Switchboard', body: event.data?.text() ?? 'Something needs you.', link: '#/inbox', tag: 'switchboard', itemId: null };
}

sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('activate', (event: ExtendableEvent) => event.waitUntil(sw.clients.claim()));

sw.addEventListener('push', (event: PushEvent) => {
  const payload = payloadOf(event);
  event.waitUntil(sw.registration.showNotification(payload.title, { body: payload.body, tag: payload.tag, data: { link: payload.link }, icon: './icon-192.png', badge: './icon-192.png' }));
});

sw.addEventListener('notificationclick', (event: NotificationClickEvent) => {
  event.notification.close();
  const link = (event.notification.data as { link?: string } | null)?.link ?? '#/inbox';
  const safe = link.startsWith('#/') ? link : '#/inbox';
  event.waitUntil(
    sw.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const open = windows[0];
      if (open) {
        open.postMessage({ type: 'switchboard.open', link: safe });
        // Allowed only on a tap (a user gesture): the item is opened there either way.
        await open.focus().catch(() => undefined);
        return;
      }
      await sw.clients.openWindow(`${sw.registration.scope}${safe}`);
    }),
  );
});
