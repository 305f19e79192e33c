/** Desktop notifications, provided by the shell (Electron's Notification); headless has none. */
export interface Notifier {
  notify(notification: { title: string; body: string; link?: string }): void;
}

export const silentNotifier: Notifier = { notify: () => {} };
