/** How much Claude may do without asking: the CLI's permission modes, bypass only by explicit choice. */
export type PermissionPolicy = 'ask' | 'acceptEdits' | 'plan' | 'bypass';

export interface ClaudeLaunch {
  /** Start a new CLI session with this id, or resume it. */
  sessionId: string;
  resume: boolean;
  model?: string | null;
  policy: PermissionPolicy;
  /** A file holding text for the end of the system prompt: in argv it would be readable by every local user. */
  appendSystemPromptFile?: string | null;
  /** Rules in the CLI's pattern form that never ask (`Bash(git *)`, `Edit`). */
  allowedTools?: readonly string[];
  /** A file naming MCP servers for this process (Switchboard's own, with its token: never in argv). */
  mcpConfigFile?: string | null;
}

const MODE: Record<PermissionPolicy, string> = {
  // `default` (the pinned CLI's help calls it `manual`, and reports `default` for both) is understood by
  // every CLI version we support; `manual` only by the newer ones.
  ask: 'default',
  acceptEdits: 'acceptEdits',
  plan: 'plan',
  bypass: 'bypassPermissions',
};

/**
 * The `--permission-mode` for a policy. Every start of the CLI names its mode, stream-json and TUI alike:
 * the CLI's own default changes between versions (2.1.329 starts an interactive session in *auto*, which
 * approves what it judges low-risk by itself), so leaving the flag out would loosen an *Ask* session.
 */
export function permissionModeArgs(policy: PermissionPolicy): string[] {
  return ['--permission-mode', MODE[policy]];
}

/** The CLI's name for a policy's mode (as `set_permission_mode` takes it). */
export function cliPermissionMode(policy: PermissionPolicy): string {
  return MODE[policy];
}

/**
 * The arguments of a long-lived stream-json process. No prompt ever goes in argv (messages go
 * on stdin), so list-taking flags cannot swallow it and long prompts are no problem.
 */
export function buildClaudeArgs(launch: ClaudeLaunch): string[] {
  const args = [
    '-p',
    '--input-format',
    'stream-json',
    '--output-format',
    'stream-json',
    '--verbose',
    '--include-partial-messages',
    '--permission-prompt-tool',
    'stdio',
    launch.resume ? '--resume' : '--session-id',
    launch.sessionId,
  ];
  args.push(...permissionModeArgs(launch.policy));
  if (launch.model) args.push('--model', launch.model);
  if (launch.appendSystemPromptFile) args.push('--append-system-prompt-file', launch.appendSystemPromptFile);
  if (launch.mcpConfigFile) args.push('--mcp-config', launch.mcpConfigFile);
  if (launch.allowedTools?.length) args.push('--allowedTools', ...launch.allowedTools);
  return args;
}

/** One user message as a stream-json input line. */
export function userMessageLine(text: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '' })}\n`;
}
