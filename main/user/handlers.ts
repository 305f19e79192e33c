import type { HandlersOf } from '../ipc/router';
import type { UserService } from './user-service';

export function userHandlers(user: UserService): HandlersOf<'user'> {
  return {
    'user.notify': (input, ctx) => user.notify(input, ctx),
    'user.ask': (input, ctx) => user.ask(input, ctx),
  };
}
