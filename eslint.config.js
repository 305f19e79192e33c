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

/** An import path naming one of our top-level folders, relative or not. */
const folder = (names, message) => ({ regex: `(^|/)(${names.join('|')})(/|$)`, message });

const layer = (options) => ['error', options];

/** Test support (the stand-in API, the real-CLI harness, the fuzzer) never ships: only tests, benchmarks and e2e use it. */
const testing = folder(['testing'], 'main/testing/ is test support: only tests (*.test.ts), bench/ and e2e/ import it, never the app.');

export default defineConfig(
  { ignores: ['dist/', 'release/', 'node_modules/', 'coverage/', 'e2e/artifacts/'] },
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
  {
    files: ['main/shell/**', 'main/index.ts', 'preload/**'],
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
