import { log } from '../log';
import type { HandlersOf } from '../ipc/router';
import type { TokenStore } from '../server/tokens';
import type { SystemService } from './system-service';

/** Health, the server's tokens, and errors a window reports. */
export function systemHandlers(system: SystemService, tokens: TokenStore): HandlersOf<'system'> {
  return {
    'system.health': () => system.health(),
    'system.tokens': () => [
      { scope: 'ui', reaches: 'Everything: this window, browsers with the login address, scripts calling /api', heldBy: ['the login address serve prints (UI: …), and the browsers that opened it'] },
      { scope: 'mcp', reaches: 'Only the MCP server (/mcp), for Claude Code and other MCP clients', heldBy: ["the Claude sessions Switchboard runs (in a private file each, never in their command line)"] },
      { scope: 'hooks', reaches: "Only Claude Code's hooks (/hooks), for sessions started in a terminal", heldBy: ["Claude Code's Switchboard plugin, once connected (a sensitive plugin option, kept with Claude Code's credentials)"] },
    ],
    'system.rotateToken': ({ scope }) => ({ scope, token: tokens.rotate(scope) }),
    'system.reportError': ({ where, message, stack }, ctx) => ({ id: log.error(`the window failed in ${where}`, undefined, { error: message, stack, surface: ctx.surface }) }),
  };
}
