import { AppError } from '../errors';
import { isOwner } from '../ipc/owner';
import type { CallContext, HandlersOf } from '../ipc/router';
import type { PushService } from './push-service';

/** Pushes carry what the user is told: only the owner decides where they go. */
function ownerOnly(ctx: CallContext): void {
  if (!isOwner(ctx)) throw new AppError('unauthorized', 'Only the window can choose where pushes go.');
}

export function pushHandlers(push: PushService): HandlersOf<'push'> {
  return {
    'push.key': () => push.publicKey(),
    'push.subscribe': ({ subscription, name }, ctx) => {
      ownerOnly(ctx);
      return push.subscribe(subscription, name);
    },
    'push.list': () => push.list(),
    'push.remove': ({ endpoint }, ctx) => {
      ownerOnly(ctx);
      return push.remove(endpoint);
    },
    'push.test': ({ endpoint }, ctx) => {
      ownerOnly(ctx);
      return push.test(endpoint);
    },
    'push.presence': ({ visible }, ctx) => (isOwner(ctx) ? push.setPresence(ctx.actor, visible) : { active: push.active() }),
  };
}
