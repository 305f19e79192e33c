import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../../errors';
import { transcribe } from '../voice';
import type { MessageHandler } from './types';

/** Why a file could not be fetched, in words: Telegram lets bots download 20 MB at most. */
function downloadFailure(error: unknown): string {
  const message = errorMessage(error);
  if (/file is too big|over 20 MB/i.test(message)) return 'it is larger than the 20 MB a bot may download';
  return message;
}

/**
 * Files are saved into the session's folder and handed to Claude by path (a line each after the words);
 * voice notes are also transcribed where set up. A file that cannot be fetched is told, and the words
 * still go on.
 */
export const files: MessageHandler = async (incoming, parts) => {
  const { message: m, ctx } = incoming;
  const { kit } = parts;
  const adapter = kit.adapter();
  if (!m.files.length || !adapter) return 'next';
  const sessionId = await parts.sessionOf(m.chatKey, ctx);
  const session = await kit.call('sessions.get', { id: sessionId }, ctx);
  const folder = path.join(session.cwd, `${kit.surface}-files`);
  await fs.promises.mkdir(folder, { recursive: true });
  const lines: string[] = [];
  for (const file of m.files) {
    // A file that cannot be fetched (too big for a bot, gone) is told; the words with it still reach Claude.
    const content = await adapter.download(file).catch((error: unknown) => {
      const rest = m.text.trim() ? 'Your words went to Claude without it.' : 'Nothing was sent to Claude.';
      kit.warn(m.chatKey, 'could not download a file', `I could not fetch ${file.name}: ${downloadFailure(error)}. ${rest}`, error, false, { file: file.name });
      return null;
    });
    if (!content) continue;
    const what = file.kind === 'voice' ? 'A voice note' : file.kind === 'photo' ? 'A photo' : 'A file';
    const name = `${Date.now()}-${file.name.replace(/[^\w.-]+/g, '_').slice(-100)}`;
    const target = path.join(folder, name);
    await fs.promises.writeFile(target, content, { mode: 0o600 });
    lines.push(`[${what} from ${m.userName}, saved at ${target}${file.mime ? ` (${file.mime})` : ''}]`);
    if (file.kind === 'voice') {
      // A failed transcription is told, and Claude still gets the recording: the message is not lost.
      const heard = await transcribe(content, file.name, kit).catch((error: unknown) => {
        kit.warn(m.chatKey, 'could not transcribe a voice note', `I could not transcribe the voice note: ${errorMessage(error)}. Claude gets the recording as a file.`, error);
        return null;
      });
      if (heard) {
        lines.push(`Transcription of the voice note: ${heard}`);
        kit.say(m.chatKey, `🎙 I heard: “${heard}”`);
      }
    }
  }
  incoming.text = [m.text, ...lines].filter(Boolean).join('\n\n');
  return 'next';
};
