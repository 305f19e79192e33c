import { jobTools } from './job-tools';
import { memoryTools } from './memory-tools';
import { sessionTools } from './session-tools';
import type { Tool } from './tool';
import { userTools } from './user-tools';

export type { ContractCall, Tool, ToolHints } from './tool';

/** Every tool Switchboard offers Claude Code and other MCP clients, by area (a file per area, tool.ts the shape). */
export const tools: Tool[] = [...sessionTools, ...jobTools, ...memoryTools, ...userTools];
