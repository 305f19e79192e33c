import { chatCommands } from '../commands';
import type { MessageHandler } from './types';

const COMMAND = /^\/([a-z_]+)(?:@\S+)?\s*([\s\S]*)$/i;

/** `/name args` (or `/name@bot`) runs its command from the table; an unknown one is answered. A message with files is never a command. */
export const command: MessageHandler = async ({ message: m, ctx }, parts) => {
  const found = COMMAND.exec(m.text);
  if (!found || m.files.length) return 'next';
  const entry = chatCommands.find((c) => c.name === found[1]!.toLowerCase());
  if (entry) await entry.run(parts.commandContext(m.chatKey, ctx), found[2]!.trim());
  else parts.kit.say(m.chatKey, `There is no /${found[1]} here. /help lists what there is.`);
  return 'done';
};
