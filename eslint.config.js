// Lint, including the layers of docs/architecture.md: contract imports nothing of ours, client only the
// contract, the renderer never main/, and only main/shell/, main/index.ts and preload/ import electron.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electron = {
  name: 'electron',
  message: 'Only main/shell/, main/index.ts and preload/ may import electron: the core must run without it (docs/architecture.md).',
};

/** The files of main/ that may write to the console: the entry points, the log itself, tests and test support. */
export const consoleAllowed = ['main/serve.ts', 'main/bin.ts', 'main/index.ts', 'main/mcp/stdio-bridge.ts', 'main/log.ts', 'main/**/*.test.ts', 'main/testing/**'];

/** An import path naming one of our top-level folders, relative or not. */
const folder = (names, message) => ({ regex: `(^|/)(${names.join('|')})(/|$)`, message });

const layer = (options) => ['error', options];

/** Test support (the stand-in API, the real-CLI harness, the fuzzer) never ships: only tests, benchmarks and e2e use it. */
const testing = folder(['testing'], 'main/testing/ is test support: only tests (*.test.ts), bench/ and e2e/ import it, never the app.');

/**
 * The layers inside main/, as VS Code keeps its own: each service folder names the folders it may import.
 * The table has no cycle (main/lint-layers.test.ts checks), so lint refusing the rest means no import cycle
 * between folders. The files directly in main/ are the base (events, log, errors) or the roots (core.ts,
 * serve.ts, index.ts) that wire everything; main/testing may use anything.
 */
export const layers = {
  ipc: [],
  claude: [],
  secrets: [],
  storage: [],
  settings: ['storage', 'ipc'],
  approvals: ['storage', 'settings', 'ipc'],
  sessions: ['claude', 'approvals', 'settings', 'storage', 'ipc'],
  // Sessions in git worktrees of their own: checkpoints, diffs, merge; the sessions it needs come from the root.
  worktrees: ['storage', 'ipc'],
  retrieval: ['storage', 'settings', 'secrets'],
  memory: ['retrieval', 'storage', 'settings', 'ipc'],
  usage: ['storage', 'settings', 'ipc'],
  history: ['retrieval', 'sessions', 'claude', 'storage', 'ipc', 'usage'],
  // Its jobs' sessions through the router, as the job (job-sessions.ts); the broker's job questions from the root (job-rules.ts).
  scheduler: ['settings', 'storage', 'ipc'],
  server: ['secrets', 'ipc'],
  system: ['claude', 'settings', 'storage', 'server', 'ipc'],
  shell: ['secrets'],
  user: ['approvals', 'ipc'],
  mail: ['settings', 'secrets', 'ipc'],
  tasks: ['sessions', 'scheduler', 'storage', 'ipc'],
  tools: [],
  mcp: ['tools', 'server', 'ipc', 'secrets'],
  // A surface: its questions and lookups through the router (approvals.ask/wait/withdraw, sessions.ofClaude); its route,
  // its settings, the CLI's formats, private folders for the plugin (storage/private-files.ts; it keeps no table).
  hooks: ['settings', 'storage', 'server', 'ipc', 'claude'],
  // The inbox mirrors what the other services emit (events); lookups reach it from the root as functions.
  inbox: ['storage', 'settings', 'ipc'],
  // Web Push: its subscriptions (storage), its VAPID keys (secrets); what to send reaches it from the root.
  push: ['storage', 'secrets', 'ipc'],
  // Surfaces call the contract through the router; they keep their own tables and read their settings.
  surfaces: ['ipc', 'storage', 'settings', 'secrets'],
};

/**
 * Callers that reach the services only through the contract, and the files they may use of the plumbing folders
 * their row names: of main/ipc/ the router's types and `callOrThrow` (router.ts) and the owner rule (owner.ts),
 * never a transport; the hooks keep no table, so of main/storage/ only the private-folder helper.
 */
export const contractOnly = {
  hooks: { ipc: ['router', 'owner'], storage: ['private-files'] },
  scheduler: { ipc: ['router', 'owner'] },
};

/** Imports of a plumbing folder beyond the files `contractOnly` names for `from`. */
const beyondContract = (from) =>
  Object.entries(contractOnly[from] ?? {}).map(([folderName, files]) => ({
    regex: `^(\\.\\./)+${folderName}/(?!(${files.join('|')})$)`,
    message: `main/${from}/ calls the services through the contract: of main/${folderName}/ it imports only ${files.map((f) => `${f}.ts`).join(' and ')} (contractOnly in eslint.config.js).`,
  }));

/** An import of a sibling folder of main/ that `from` may not use, with the folders it may. */
function layerPattern(from) {
  const refused = Object.keys(layers).filter((name) => name !== from && !layers[from].includes(name));
  const allowed = layers[from].length ? layers[from].map((name) => `main/${name}/`).join(', ') : 'no other service folder';
  return {
    regex: `^(\\.\\./)+(${refused.join('|')})(/|$)`,
    message: `main/${from}/ may import only ${allowed} (the layer table in eslint.config.js): a service reaches the others through the root's wiring.`,
  };
}

export default defineConfig(
  { ignores: ['dist/', 'release/', 'node_modules/', 'coverage/', 'e2e/artifacts/', '.search-worker-*/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // What the core says goes to the log file too (main/log.ts): only the entry points, which talk to a terminal
    // (stdout is the protocol in the stdio bridge), and the log itself write to the console.
    files: ['main/**/*.ts'],
    ignores: [...consoleAllowed],
    rules: { 'no-restricted-globals': ['error', { name: 'console', message: 'Use log.info/warn/error (main/log.ts) in main/: the log file keeps what the console loses. Only the entry points write to the console.' }] },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['contract/**'],
    rules: {
      'no-restricted-imports': layer({
        paths: [electron],
        patterns: [{ regex: '^\\.\\./', message: 'contract/ imports nothing of ours: main, preload and renderer import it.' }],
      }),
    },
  },
  {
    files: ['client/**'],
    rules: {
      'no-restricted-imports': layer({
        paths: [electron],
        patterns: [folder(['main', 'renderer', 'preload'], 'client/ may import only contract/.')],
      }),
    },
  },
  {
    files: ['renderer/**'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': layer({
        paths: [electron],
        patterns: [folder(['main', 'preload'], 'The renderer is untrusted and never imports main/ or preload/: go through the contract.')],
      }),
    },
  },
  {
    files: ['main/**'],
    rules: {
      'no-restricted-imports': layer({
        paths: [electron],
        patterns: [folder(['renderer', 'preload'], 'main/ does not import the renderer or the preload.'), testing],
      }),
    },
  },
  ...Object.keys(layers).map((name) => ({
    files: [`main/${name}/**`],
    rules: {
      'no-restricted-imports': layer({
        paths: name === 'shell' ? [] : [electron],
        patterns: [folder(['renderer', 'preload'], 'main/ does not import the renderer or the preload.'), testing, layerPattern(name), ...beyondContract(name)],
      }),
    },
  })),
  {
    files: ['main/index.ts', 'preload/**'],
    rules: {
      'no-restricted-imports': layer({
        patterns: [folder(['renderer'], 'The shell does not import the renderer.'), testing],
      }),
    },
  },
  {
    // Tests and the test support itself may use it; the other layer rules still hold for them.
    files: ['main/**/*.test.ts', 'main/testing/**'],
    rules: {
      'no-restricted-imports': layer({
        paths: [electron],
        patterns: [folder(['renderer', 'preload'], 'main/ does not import the renderer or the preload.')],
      }),
    },
  },
);
