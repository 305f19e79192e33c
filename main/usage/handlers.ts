import type { HandlersOf } from '../ipc/router';
import type { UsageService } from './usage-service';

export function usageHandlers(usage: UsageService): HandlersOf<'usage'> {
  return {
    'usage.summary': (input) => usage.summary(input),
    'usage.sessions': ({ day }) => usage.sessions(day),
    'usage.turns': ({ sessionId, day }) => usage.turns(sessionId, day),
    'usage.windows': () => usage.windows(),
    'usage.system': () => usage.system(),
  };
}
