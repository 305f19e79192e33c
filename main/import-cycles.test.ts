import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Cycles known today, each written as its files sorted and joined by " ↔ ": all inside main/surfaces/chat/,
 * which is being cut into parts. The test fails on any other cycle, and on a listed one that is gone
 * (so the list only shrinks).
 */
const KNOWN: string[] = ['main/surfaces/chat/chat-bridge.ts ↔ main/surfaces/chat/commands.ts ↔ main/surfaces/chat/review.ts ↔ main/surfaces/chat/task-answers.ts'];

/** Every non-test .ts file under `dir`, relative to the repository root. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

/** Our files a file imports or re-exports (its top-level statements), type-only ones included; `import()` loads later, so it is no cycle. */
function importsOf(file: string, known: Set<string>): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers = source.statements.flatMap((s) =>
    (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? [s.moduleSpecifier.text] : [],
  );
  return specifiers.filter((s) => s.startsWith('.')).flatMap((s) => {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), s));
    const found = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')].find((c) => known.has(c));
    return found ? [found] : [];
  });
}

/** The strongly connected components of more than one file (or a file importing itself): each one a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const part: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      part.push(w);
    } while (w !== v);
    if (part.length > 1 || graph.get(v)!.includes(v)) found.push(part.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('imports', () => {
  const files = [...sources('main'), ...sources('contract')];
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f, known)]));

  it('reads the imports it should (the resolver finds our files)', () => {
    expect(graph.get('main/core.ts')).toEqual(expect.arrayContaining(['main/core-services.ts', 'main/late.ts']));
    expect(graph.get('main/core-config.ts')).toContain('main/sessions/session-manager.ts');
    expect(graph.get('main/core-services.ts')).toContain('contract/index.ts');
    // Type-only imports count: they tie the files together as much for a reader.
    expect(graph.get('main/scheduler/scheduler-deps.ts')).toContain('main/scheduler/held-runs.ts');
    expect(cycles(new Map([['a', ['b']], ['b', ['a']], ['c', ['c']], ['d', ['a']]]))).toEqual([['a', 'b'], ['c']]);
  });

  it('form no cycle in main/ and contract/, type-only imports included', () => {
    const now = cycles(graph).map((c) => c.join(' ↔ '));
    expect(now.filter((c) => !KNOWN.includes(c)), 'a new import cycle').toEqual([]);
    expect(KNOWN.filter((c) => !now.includes(c)), 'a known cycle is gone: take it off KNOWN').toEqual([]);
  });
});
