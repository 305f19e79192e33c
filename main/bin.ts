// The `switchboard` command (package.json `bin`). It checks the Node version before anything else
// loads: on an older Node the server's native modules (better-sqlite3 13 needs N-API 10) die with
// a bare "Segmentation fault". Static imports would load them before any check could run, so the
// server comes in by a dynamic import, and this file is built for old Nodes (scripts/build.mjs).

/** package.json's `engines.node`, put in at build time. */
declare const SWITCHBOARD_NODE_ENGINES: string;

const wanted = /(\d+)\.(\d+)/.exec(SWITCHBOARD_NODE_ENGINES);
const need = [Number(wanted?.[1] ?? 0), Number(wanted?.[2] ?? 0)] as const;
const have = process.versions.node.split('.').map(Number);
const major = have[0] ?? 0;
const minor = have[1] ?? 0;

if (major < need[0] || (major === need[0] && minor < need[1])) {
  console.error(
    `switchboard: needs Node.js ${need[0]}.${need[1]} or newer, this is ${process.versions.node}. ` +
      `Install Node ${need[0]} LTS (nvm install ${need[0]}, or nodejs.org) and run switchboard with it.`,
  );
  process.exitCode = 1;
} else {
  void import('./serve.js');
}
