import type { HandlersOf } from '../ipc/router';
import type { ClaudeCodeConnector } from './claude-code-connector';
import type { HooksService } from './hooks-service';

export function hooksHandlers(hooks: HooksService, connector: ClaudeCodeConnector): HandlersOf<'hooks'> & HandlersOf<'claudeCode'> {
  return {
    'hooks.reply': ({ id, text }) => hooks.reply(id, text),
    'claudeCode.status': () => connector.status(),
    'claudeCode.connect': ({ allowReadOnly }) => connector.connect({ allowReadOnly }),
    'claudeCode.disconnect': () => connector.disconnect(),
  };
}
