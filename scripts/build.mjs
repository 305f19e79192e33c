#!/usr/bin/env node
// Builds main (Electron entry, CJS), serve (headless entry, ESM), preload (sandboxed, CJS) with
// esbuild, and the renderer with Vite. `--if-stale` skips the work when dist is newer than sources.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const sources = ['contract', 'client', 'main', 'preload', 'renderer', 'package.json', 'vite.config.ts'];

function newestMtime(target) {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

const outputs = ['main/index.cjs', 'main/switchboard.js', 'main/serve.js', 'main/embed-worker.cjs', 'main/integrity-worker.cjs', 'main/checkpoint-worker.cjs', 'main/search-worker.cjs', 'main/template-worker.cjs', 'main/git-worker.cjs', 'preload/index.cjs', 'renderer/index.html'].map((f) => path.join(dist, f));
if (process.argv.includes('--if-stale')) {
  const built = Math.min(...outputs.map((f) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  const changed = Math.max(...sources.map((s) => newestMtime(path.join(root, s))));
  if (built > changed) process.exit(0);
}

const { version, engines } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// Native modules stay in node_modules (and unpacked from the asar); everything else is bundled,
// which halves start time compared with resolving hundreds of small files.
const nativeModules = ['better-sqlite3', 'sqlite-vec', 'node-pty', 'electron'];
const common = {
  bundle: true,
  sourcemap: true,
  target: 'node22',
  logLevel: 'warning',
  define: { SWITCHBOARD_VERSION: JSON.stringify(version) },
  // Bundling renames classes that clash (AbortSignal → AbortSignal2); node-fetch, under grammY, checks
  // a signal by its constructor's name and refused every Telegram call without this.
  keepNames: true,
  // grammY's node-fetch reaches Node's deprecated punycode module (a warning on every start): the package instead.
  alias: { punycode: 'punycode/' },
  // Without comments and indentation: V8 keeps each module's whole source in memory, and one
  // non-ASCII character in a comment makes it keep the file as two bytes a character (serve's
  // idle memory was 16 MB of source). Names are kept, so stack traces stay readable; maps are beside.
  minifyWhitespace: true,
  minifySyntax: true,
};

const started = performance.now();
fs.rmSync(dist, { recursive: true, force: true });
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/index.ts')],
    outfile: path.join(dist, 'main/index.cjs'),
    platform: 'node',
    format: 'cjs',
    external: nativeModules,
  }),
  // The `switchboard` command: checks the Node version, then imports serve.js. Built for old Nodes,
  // so that the one that is too old can still read it and say what is needed.
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/bin.ts')],
    outfile: path.join(dist, 'main/switchboard.js'),
    platform: 'node',
    format: 'esm',
    target: 'node14',
    define: { ...common.define, SWITCHBOARD_NODE_ENGINES: JSON.stringify(engines.node) },
    external: ['./serve.js'],
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/serve.ts')],
    outdir: path.join(dist, 'main'),
    // What is imported on demand (the Telegram and Discord adapters, mail, templates) goes to chunks
    // of its own that load when first used, not with every start.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    external: nativeModules,
    // Bundled CommonJS dependencies (ws) call require(); give the ESM bundle one.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __sbCreateRequire } from 'node:module';\nconst require = __sbCreateRequire(import.meta.url);" },
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/retrieval/embed-worker.ts')],
    outfile: path.join(dist, 'main/embed-worker.cjs'),
    platform: 'node',
    format: 'cjs',
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/history/search-worker.ts')],
    outfile: path.join(dist, 'main/search-worker.cjs'),
    platform: 'node',
    format: 'cjs',
    external: nativeModules,
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/scheduler/template-worker.ts')],
    outfile: path.join(dist, 'main/template-worker.cjs'),
    platform: 'node',
    format: 'cjs',
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/worktrees/git-worker.ts')],
    outfile: path.join(dist, 'main/git-worker.cjs'),
    platform: 'node',
    format: 'cjs',
    external: nativeModules,
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/storage/checkpoint-worker.ts')],
    outfile: path.join(dist, 'main/checkpoint-worker.cjs'),
    platform: 'node',
    format: 'cjs',
    external: nativeModules,
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'main/storage/integrity-worker.ts')],
    outfile: path.join(dist, 'main/integrity-worker.cjs'),
    platform: 'node',
    format: 'cjs',
    external: nativeModules,
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'preload/index.ts')],
    outfile: path.join(dist, 'preload/index.cjs'),
    platform: 'browser',
    target: 'chrome140',
    format: 'cjs',
    external: ['electron'],
    minify: true,
  }),
  viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' }),
]);
fs.chmodSync(path.join(dist, 'main/switchboard.js'), 0o755);
fs.chmodSync(path.join(dist, 'main/serve.js'), 0o755);
console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
