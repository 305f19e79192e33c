import { gitLines, type GitOptions } from './git';

/**
 * One page of a unified diff between two commits or trees (of some paths, or all): git's output streamed
 * line by line and git stopped once the page is full, so a 100 MB diff is never held whole.
 */
export async function diffPage(opts: GitOptions, from: string, to: string, paths: string[], offset: number, limit: number): Promise<{ lines: string[]; stopped: boolean }> {
  const lines: string[] = [];
  let seen = 0;
  const { stopped } = await gitLines(['diff', '-M', '--no-ext-diff', '--no-color', from, to, '--', ...paths], opts, (line) => {
    if (seen >= offset + limit) return false;
    if (seen >= offset) lines.push(line);
    seen++;
    return true;
  });
  return { lines, stopped };
}
