import type { HandlersOf } from '../ipc/router';
import type { InboxService } from './inbox-service';

export function inboxHandlers(inbox: InboxService): HandlersOf<'inbox'> {
  return {
    'inbox.list': (input) => inbox.list(input),
    'inbox.markRead': (input) => inbox.markRead(input),
    'inbox.sessions': () => inbox.sessions(),
    'inbox.dismiss': ({ id }) => inbox.dismiss(id),
  };
}
