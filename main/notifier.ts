/** Desktop notifications, provided by the shell (Electron's Notification); headless has none. */
export interface Notifier {
  notify(notification: { title: string; body: string }): void;
}

export const silentNotifier: Notifier = { notify: () => {} };
