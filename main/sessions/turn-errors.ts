import { log } from '../log';

/** The CLI's words for a conversation the model cannot take any more (API 400, "prompt is too long"). */
const TOO_LONG = /prompt is too long/i;

/**
 * The error a failed turn shows: the CLI's or API's words turned into what to do where we know it, and
 * a short error id under which the log has the raw text. The one place a failed turn's error is made,
 * so every failed turn the user sees carries an id (README: every error a user sees does).
 */
export function failedTurnError(raw: string, details: { sessionId: string; turnId: string }): string {
  const id = log.error('sessions: a turn failed', undefined, { ...details, cause: raw.slice(0, 2000) }, { console: false });
  return `${userWords(raw)} (error ${id})`;
}

/** The CLI's error in a user's words: "Prompt is too long" says what gets the session going again. */
function userWords(raw: string): string {
  const text = raw.trim() || 'Claude reported an error.';
  if (TOO_LONG.test(text)) {
    return 'The conversation is too long for the model (“Prompt is too long”). Send /compact to have Claude Code shorten it, or Reset the session to start over with an empty conversation.';
  }
  return text;
}

/** The transcript's line for the CLI's automatic (or /compact) compaction of the conversation. */
export function compactionNotice(preTokens: number | null): string {
  return `Claude Code compacted the conversation${preTokens !== null ? ` (${preTokens.toLocaleString('en-US')} tokens before)` : ''}.`;
}
