import { Notification } from 'electron';
import type { Notifier } from '../notifier';

/** Desktop notifications; clicking one brings the window up. */
export function electronNotifier(onClick: () => void): Notifier {
  return {
    notify({ title, body }) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title, body, silent: false });
      notification.on('click', onClick);
      notification.show();
    },
  };
}
