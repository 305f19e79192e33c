import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Cycles known today, each its files sorted and joined by " ↔ ": the test fails on any other, and on a
 * listed one that is gone (so the list only shrinks). task-answers.ts (carried into the cut bridge at the
 * merge) takes the whole ChatBridge as a type; given the ChatKit or a narrow shape instead, it goes.
 */
const KNOWN: string[] = [];

/** Every non-test .ts file under `dir`, relative to the repository root. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

/** Our files a file imports or re-exports, type-only and dynamic (`import('./x')`) ones included. */
function importsOf(file: string, known: Set<string>, text = fs.readFileSync(path.join(root, file), 'utf8')): string[] {
  const specifiers: string[] = [];
  const walk = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) specifiers.push(node.arguments[0].text);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) specifiers.push(node.argument.literal.text);
    ts.forEachChild(node, walk);
  };
  walk(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false));
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

  it('reads type-only imports, re-exports and dynamic imports as imports', () => {
    expect(graph.get('main/core.ts')).toEqual(expect.arrayContaining(['main/core-services.ts', 'main/late.ts']));
    expect(graph.get('main/core-services.ts')).toContain('contract/index.ts');
    expect(graph.get('main/scheduler/scheduler-deps.ts')).toContain('main/scheduler/held-runs.ts');
    expect(graph.get('main/surfaces/chat/chat-bridge.ts')).toContain('main/surfaces/chat/kit.ts');
    expect(graph.get('main/surfaces/chat/handlers/index.ts')).toContain('main/surfaces/chat/handlers/press.ts');
    expect(graph.get('main/surfaces/chat/surfaces.ts')).toContain('main/surfaces/telegram/telegram-adapter.ts');
  });

  it('finds a cycle, one made of type-only imports too', () => {
    // commands.ts and review.ts imported each other (a value one way, types the other) before command-context.ts.
    const fixture = new Set(['x/a.ts', 'x/b.ts', 'x/c.ts']);
    const b = importsOf('x/b.ts', fixture, "import type { A } from './a';\nexport const b = 1 as unknown as A;\n");
    expect(b).toEqual(['x/a.ts']);
    expect(cycles(new Map([['x/a.ts', ['x/b.ts']], ['x/b.ts', b], ['x/c.ts', ['x/c.ts']], ['x/d.ts', ['x/a.ts']]]))).toEqual([['x/a.ts', 'x/b.ts'], ['x/c.ts']]);
  });

  it('form no cycle in main/ and contract/, type-only and dynamic imports included', () => {
    const now = cycles(graph).map((c) => c.join(' ↔ '));
    expect(now.filter((c) => !KNOWN.includes(c)), 'a new import cycle').toEqual([]);
    expect(KNOWN.filter((c) => !now.includes(c)), 'a known cycle is gone: take it off KNOWN').toEqual([]);
  });
});
