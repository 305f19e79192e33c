import { describe, expect, it } from 'vitest';
import { readableToolName } from './tool-names';

describe('a tool name as a person reads it', () => {
  it('names an MCP tool by its server and tool, a plugin’s own server once, and leaves the CLI’s tools as they are', () => {
    expect(readableToolName('mcp__plugin_switchboard_switchboard__notify_user')).toBe('Switchboard: notify_user');
    expect(readableToolName('mcp__github__create_issue')).toBe('Github: create_issue');
    expect(readableToolName('mcp__plugin_tools_browser__open')).toBe('Tools browser: open');
    expect(readableToolName('mcp__my-server__a__b')).toBe('My server: a__b');
    expect(readableToolName('Bash')).toBe('Bash');
    expect(readableToolName('mcp__broken')).toBe('mcp__broken');
  });
});
