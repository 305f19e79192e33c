import { AppError, errorMessage } from '../../errors';
import type { SecretStore } from '../../secrets/secret-store';
import type { SettingsService } from '../../settings/settings-service';

/** The secret the transcription endpoint's key is kept under (shared by every chat bot). */
export const TRANSCRIPTION_KEY = 'voice.transcriptionKey';

/** A slow endpoint must not hold the chat's queue for ever: past this the recording goes to Claude as a file only. */
const TIMEOUT_MS = 120_000;

/**
 * A voice note to text at an OpenAI-compatible `/v1/audio/transcriptions` endpoint; null where none is
 * set or it heard nothing. Failures are thrown in the user's words.
 */
export async function transcribe(content: Buffer, name: string, deps: { settings: SettingsService; secrets: SecretStore }): Promise<string | null> {
  const url = deps.settings.get('voice.transcriptionUrl');
  if (!url) return null;
  const form = new FormData();
  form.append('file', new Blob([content]), name);
  form.append('model', deps.settings.get('voice.transcriptionModel'));
  const key = deps.secrets.get(TRANSCRIPTION_KEY);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body: form, headers: key ? { Authorization: `Bearer ${key}` } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new AppError('unavailable', timedOut ? `the transcription endpoint did not answer within ${TIMEOUT_MS / 1000} s` : `the transcription endpoint could not be reached (${errorMessage(error)})`);
  }
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? ': check its key in Settings → Voice notes' : '';
    throw new AppError('unavailable', `the transcription endpoint answered ${response.status}${hint}`);
  }
  const body = (await response.json().catch(() => null)) as { text?: unknown } | null;
  if (typeof body?.text !== 'string') throw new AppError('unavailable', 'the transcription endpoint answered without a text');
  return body.text.trim() || null;
}
