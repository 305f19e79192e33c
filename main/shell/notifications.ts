import { Notification } from 'electron';
import type { Notifier } from '../notifier';

/** Desktop notifications; clicking one brings the window up at what it is about. */
export function electronNotifier(onClick: (link: string | null) => void): Notifier {
  return {
    notify({ title, body, link }) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title, body, silent: false });
      notification.on('click', () => onClick(link ?? null));
      notification.show();
    },
  };
}
