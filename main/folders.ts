import os from 'node:os';
import path from 'node:path';

/** A folder as the user typed it (absolute, or `~/…`), as the absolute path the OS needs. */
export function expandFolder(folder: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? os.homedir();
  if (folder === '~') return home;
  if (folder.startsWith('~/')) return path.join(home, folder.slice(2));
  return path.resolve(folder);
}
