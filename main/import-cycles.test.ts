import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = import.meta.dirname;
const CHAT = path.join(MAIN, 'surfaces', 'chat');

/** Every `.ts` file below a folder, tests left out. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The files a file imports by a relative path: value and type-only imports, re-exports and dynamic imports alike. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => {
      const base = path.resolve(path.dirname(file), s);
      return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    })
    .filter((f): f is string => !!f);
}

/** The cycles in an import graph, each as the files around it (one per strongly connected group). */
function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)).map((f) => path.relative(MAIN, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('imports in main/', () => {
  it('reads type-only imports, re-exports and dynamic imports as imports', () => {
    expect(importsOf(path.join(CHAT, 'chat-bridge.ts'))).toContain(path.join(CHAT, 'kit.ts'));
    expect(importsOf(path.join(CHAT, 'handlers', 'index.ts'))).toContain(path.join(CHAT, 'handlers', 'press.ts'));
    expect(importsOf(path.join(CHAT, 'surfaces.ts'))).toContain(path.join(MAIN, 'surfaces', 'telegram', 'telegram-adapter.ts'));
  });

  it('finds a cycle made of type-only imports', () => {
    // commands.ts and review.ts imported each other (a value one way, types the other) before command-context.ts.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cycle-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "import type { A } from './a';\nexport const b = 1 as unknown as A;\n");
      expect(cycles(sources(dir)).map((c) => c.map((f) => path.basename(f)))).toEqual([['a.ts', 'b.ts']]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('have no cycle, type-only imports included (the chat bridge, its parts and commands among them)', () => {
    expect(cycles(sources(MAIN))).toEqual([]);
  });
});
