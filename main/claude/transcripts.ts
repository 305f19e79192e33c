import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where Claude Code keeps its transcripts: ${CLAUDE_CONFIG_DIR:-~/.claude}/projects. */
export function projectsDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude'), 'projects');
}

/**
 * Whether the CLI has written this session's transcript (it does at the first message, not at start).
 * Without one, `--resume` fails ("No conversation found"): such a session starts with `--session-id`
 * again. The folder name is a lossy encoding of the cwd, so every project folder is looked in.
 */
export async function transcriptExists(env: NodeJS.ProcessEnv, claudeSessionId: string): Promise<boolean> {
  const root = projectsDir(env);
  const folders = await fs.promises.readdir(root, { withFileTypes: true }).catch(() => []);
  const found = await Promise.all(
    folders.filter((f) => f.isDirectory()).map((f) => fs.promises.access(path.join(root, f.name, `${claudeSessionId}.jsonl`)).then(() => true, () => false)),
  );
  return found.some(Boolean);
}
