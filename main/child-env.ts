/**
 * Switchboard's own variables a child may see: where the data folder and the server are (so a
 * `switchboard mcp` bridge Claude starts finds them) and which session it runs for. Every other
 * `SWITCHBOARD_*` variable (the bot tokens, the MCP token, and any secret added later) stays in
 * Switchboard: a shell job, a terminal or a Claude process has no business with them, and Claude
 * can print its environment.
 */
const PASSED = new Set([
  'SWITCHBOARD_HOME',
  'SWITCHBOARD_PORT',
  'SWITCHBOARD_MCP_URL',
  'SWITCHBOARD_SESSION_ID',
  // What a job's command and its after-run steps are told about the run (its folder, status and result).
  'SWITCHBOARD_RUN_DIR',
  'SWITCHBOARD_RUN_ID',
  'SWITCHBOARD_RUN_STATUS',
  'SWITCHBOARD_RUN_RESULT',
  'SWITCHBOARD_JOB_ID',
  'SWITCHBOARD_JOB_NAME',
]);

/** Whether a variable of this name is Switchboard's own and not for children. */
export function isWithheldFromChildren(name: string): boolean {
  const upper = name.toUpperCase();
  return upper.startsWith('SWITCHBOARD_') && !PASSED.has(upper);
}

/**
 * The environment for a child process, the one way every spawn in main/ builds it: `env` without
 * Switchboard's secrets, then `extra` on top (whose own `SWITCHBOARD_*` secrets are dropped too).
 */
export function childEnv(env: NodeJS.ProcessEnv, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...env, ...extra })) {
    if (value !== undefined && !isWithheldFromChildren(name)) out[name] = value;
  }
  return out;
}
