import type { CallContext } from '../../../ipc/router';
import type { IncomingPress } from '../adapter';
import { chatCommands } from '../commands';
import type { PressParts } from './types';

/** A command's button (`<button>:…`): acknowledged, then handed to the command that offered it. */
async function commandButton(p: IncomingPress, ctx: CallContext, kind: string, args: string[], parts: PressParts): Promise<void> {
  const command = chatCommands.find((c) => c.button === kind);
  if (!command?.press) return p.acknowledge('That button is from an older Switchboard.');
  await p.acknowledge();
  await command.press(parts.commandContext(p.chatKey, ctx), args);
}

/** A button pressed: only allowed people's presses count; a permission, a question's option, or a command's button. */
export async function handlePress(p: IncomingPress, parts: PressParts): Promise<void> {
  if (!parts.kit.access.allowed(p.userId)) return p.acknowledge('Only people allowed in Switchboard can answer.');
  const ctx = parts.kit.caller(p.userId);
  const [kind, ...rest] = p.data.split(':');
  if (kind === 'ap') return parts.permission(p, ctx, rest);
  if (kind === 'aq') return parts.option(p, ctx, rest);
  return commandButton(p, ctx, kind!, rest, parts);
}
