/**
 * Matches a permission rule in the CLI's own pattern form against a tool call, so a rule saved
 * while a process runs applies at once (new processes also get the rules as --allowedTools).
 */

/** What joins, chains, redirects or substitutes commands in a shell line. */
const SHELL_JOINS = /[;&|`<>\n\r]|\$\(/;

const FILE_TOOLS = new Set(['Read', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'Glob', 'Grep']);

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** `*` matches anything (commands contain slashes). */
function commandGlob(pattern: string): RegExp {
  return new RegExp(`^${escape(pattern).replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
}

/** `**` crosses folders, `*` and `?` do not. */
function pathGlob(pattern: string): RegExp {
  const body = pattern
    .split('**')
    .map((part) => escape(part).replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export function parseRule(rule: string): { tool: string; content: string | null } {
  const match = /^([A-Za-z0-9_-]+)(?:\((.*)\))?$/s.exec(rule.trim());
  return match ? { tool: match[1]!, content: match[2] ?? null } : { tool: '', content: null };
}

export function ruleMatches(rule: string, toolName: string, input: Record<string, unknown>): boolean {
  const { tool, content } = parseRule(rule);
  if (!tool) return false;
  // `mcp__server` covers every tool of that server.
  const sameTool = tool === toolName || (tool.startsWith('mcp__') && toolName.startsWith(`${tool}__`));
  if (!sameTool) return false;
  if (content === null || content === '*') return true;
  if (toolName === 'Bash') {
    const command = typeof input.command === 'string' ? input.command.trim() : '';
    if (content === command) return true;
    // A prefix or a pattern speaks for one simple command only: `echo hi; curl … | sh` starts with `echo hi`
    // but is not it (the CLI, which asked, already refused it under the same rule).
    if (SHELL_JOINS.test(command)) return false;
    // The CLI's older prefix form: `Bash(npm run test:*)`.
    // A whole word: `git diff:*` is `git diff` and what follows it after a space, never `git difftool`.
    if (content.endsWith(':*')) {
      const prefix = content.slice(0, -2);
      return command === prefix || command.startsWith(`${prefix} `);
    }
    return commandGlob(content).test(command);
  }
  if (FILE_TOOLS.has(toolName)) {
    const file = [input.file_path, input.notebook_path, input.path].find((v): v is string => typeof v === 'string');
    return !!file && pathGlob(content).test(file);
  }
  if (toolName === 'WebFetch' && content.startsWith('domain:') && typeof input.url === 'string') {
    try {
      const host = new URL(input.url).hostname;
      const domain = content.slice('domain:'.length);
      return host === domain || host.endsWith(`.${domain}`);
    } catch {
      return false;
    }
  }
  return false;
}

