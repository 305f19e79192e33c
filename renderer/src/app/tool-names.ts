/**
 * A tool's name as a person reads it. MCP tools reach Claude as `mcp__<server>__<tool>` (a plugin's
 * server as `plugin_<plugin>_<server>`), an id nobody should have to parse on a permission card:
 * `mcp__plugin_switchboard_switchboard__notify_user` reads "Switchboard: notify_user". Other names
 * (Bash, Write…) are already readable and come back as they are.
 */
export function readableToolName(name: string): string {
  const match = /^mcp__(.+?)__(.+)$/.exec(name);
  if (!match) return name;
  let server = match[1]!;
  if (server.startsWith('plugin_')) {
    const parts = server.slice('plugin_'.length).split('_');
    const half = parts.length / 2;
    // A plugin that ships a server of its own name: say it once.
    server = Number.isInteger(half) && parts.slice(0, half).join('_') === parts.slice(half).join('_') ? parts.slice(0, half).join('_') : parts.join(' ');
  }
  server = server.replace(/[_-]+/g, ' ').trim();
  return `${server.charAt(0).toUpperCase()}${server.slice(1)}: ${match[2]}`;
}
