import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });
/** The layer table itself (a JS config: read at run time, typed here). */
const { layers } = (await import(path.join(root, 'eslint.config.js'))) as { layers: Record<string, string[]> };

/** The layer rule messages ESLint gives for `code` placed at `file`. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint enforces the layers of docs/architecture.md', () => {
  it('fails a renderer file that imports main/', async () => {
    const errors = await layerErrors('renderer/src/features/x.ts', "import { createCore } from '../../../main/core';\nexport const c = createCore;\n");
    expect(errors.join()).toMatch(/never imports main/);
  });

  it('fails contract/ importing anything of ours', async () => {
    expect(await layerErrors('contract/x.ts', "import { Router } from '../main/ipc/router';\nexport const r = Router;\n")).toHaveLength(1);
    expect(await layerErrors('contract/x.ts', "import { ok } from './result';\nexport const o = ok;\n")).toEqual([]);
  });

  it('fails electron imports outside main/shell/ and main/index.ts', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect((await layerErrors('main/sessions/manager.ts', code)).join()).toMatch(/core must run without it/);
    expect(await layerErrors('renderer/src/x.ts', code)).toHaveLength(1);
    expect(await layerErrors('main/shell/tray.ts', code)).toEqual([]);
    expect(await layerErrors('main/index.ts', code)).toEqual([]);
    expect(await layerErrors('preload/index.ts', code)).toEqual([]);
  });

  it('fails a production import of main/testing, and lets tests have it', async () => {
    const code = "import { FakeAnthropic } from '../testing/fake-anthropic';\nexport const f = FakeAnthropic;\n";
    expect((await layerErrors('main/sessions/manager.ts', code)).join()).toMatch(/main\/testing\/ is test support/);
    expect((await layerErrors('main/shell/tray.ts', code)).join()).toMatch(/test support/);
    expect(await layerErrors('main/sessions/manager.test.ts', code)).toEqual([]);
    expect(await layerErrors('main/testing/other.ts', "import { FakeAnthropic } from './fake-anthropic';\nexport const f = FakeAnthropic;\n")).toEqual([]);
  });

  it('lets the renderer use the contract and the client', async () => {
    const code = "import type { Api } from '../../contract';\nimport { createApi } from '../../client/api';\nexport type A = Api;\nexport const c = createApi;\n";
    expect(await layerErrors('renderer/src/x.ts', code)).toEqual([]);
  });

  it('fails an import between service folders that the layer table does not allow, so no cycle can form', async () => {
    // history uses retrieval: the way back would close a cycle.
    const back = "import { HistoryService } from '../history/history-service';\nexport const h = HistoryService;\n";
    expect((await layerErrors('main/retrieval/vector-index.ts', back)).join()).toMatch(/main\/retrieval\/ may import only main\/storage\//);
    const forth = "import { fuse } from '../retrieval/hybrid';\nexport const f = fuse;\n";
    expect(await layerErrors('main/history/history-service.ts', forth)).toEqual([]);
    expect((await layerErrors('main/storage/database.ts', "import { log } from '../sessions/session-store';\nexport const l = log;\n")).join()).toMatch(/no other service folder/);
    // The base files in main/ stay open to every layer.
    expect(await layerErrors('main/storage/database.ts', "import { log } from '../log';\nexport const l = log;\n")).toEqual([]);
  });

  it('keeps the surfaces and the scheduler off the services: they reach them through the router or the root', async () => {
    // What a surface may import: the plumbing (router, settings, its own tables, secrets, routes, the CLI's formats, the tool table).
    const plumbing = ['ipc', 'storage', 'settings', 'secrets', 'server', 'claude', 'tools'];
    for (const name of ['surfaces', 'mcp', 'hooks', 'scheduler']) expect(layers[name]!.filter((l) => !plumbing.includes(l)), name).toEqual([]);
    const broker = "import type { ApprovalBroker } from '../approvals/approval-broker';\nexport type B = ApprovalBroker;\n";
    expect((await layerErrors('main/hooks/hooks-service.ts', broker)).join()).toMatch(/main\/hooks\/ may import only/);
    const manager = "import type { SessionManager } from '../sessions/session-manager';\nexport type M = SessionManager;\n";
    expect((await layerErrors('main/scheduler/scheduler-service.ts', manager)).join()).toMatch(/main\/scheduler\/ may import only/);
    expect((await layerErrors('main/hooks/hooks-service.ts', manager)).join()).toMatch(/main\/hooks\/ may import only/);
  });

  it('holds the hooks and the scheduler to the contract: no service folder, and of main/ipc/ only the router and the owner rule', async () => {
    // Their rows name no service whose work they use (sessions, approvals, worktrees, usage…): that goes through the router.
    expect(layers.hooks).toEqual(['settings', 'storage', 'server', 'ipc', 'claude']);
    expect(layers.scheduler).toEqual(['settings', 'storage', 'ipc']);
    const { contractOnly } = (await import(path.join(root, 'eslint.config.js'))) as { contractOnly: Record<string, Record<string, string[]>> };
    expect(Object.keys(contractOnly)).toEqual(['hooks', 'scheduler']);
    const imports = {
      store: "import type { SessionStore } from '../sessions/session-store';\nexport type S = SessionStore;\n",
      questions: "import { jobQuestions } from '../approvals/job-questions';\nexport const q = jobQuestions;\n",
      worktree: "import { sessionInWorktree } from '../worktrees/handlers';\nexport const w = sessionInWorktree;\n",
      transport: "import { registerElectronIpc } from '../ipc/electron-ipc';\nexport const r = registerElectronIpc;\n",
      router: "import { callOrThrow, type CallContext } from '../ipc/router';\nexport const c = callOrThrow;\nexport type C = CallContext;\n",
      owner: "import { isOwner } from '../ipc/owner';\nexport const o = isOwner;\n",
    };
    for (const file of ['main/hooks/hooks-service.ts', 'main/scheduler/run-executor.ts']) {
      for (const code of [imports.store, imports.questions, imports.worktree]) expect((await layerErrors(file, code)).join(), `${file}: ${code}`).toMatch(/may import only/);
      expect((await layerErrors(file, imports.transport)).join(), file).toMatch(/calls the services through the contract: of main\/ipc\/ it imports only router\.ts and owner\.ts/);
      expect(await layerErrors(file, imports.router), file).toEqual([]);
      expect(await layerErrors(file, imports.owner), file).toEqual([]);
    }
    // The hooks keep no table: of main/storage/ only the private-folder helper; the scheduler keeps its jobs and runs.
    const storage = "import type { StorageService } from '../storage/storage-service';\nexport type S = StorageService;\n";
    expect((await layerErrors('main/hooks/hooks-service.ts', storage)).join()).toMatch(/of main\/storage\/ it imports only private-files\.ts/);
    expect(await layerErrors('main/hooks/claude-code-connector.ts', "import { makePrivateDir } from '../storage/private-files';\nexport const m = makePrivateDir;\n")).toEqual([]);
    expect(await layerErrors('main/scheduler/job-store.ts', storage)).toEqual([]);
    // Other folders may still use a transport (the shell registers Electron's IPC).
    expect(await layerErrors('main/sessions/handlers.ts', imports.transport)).toEqual([]);
  });

  it('refuses console in main/ outside the entry points, the log and tests', async () => {
    const consoleErrors = async (file: string) => {
      const [result] = await eslint.lintText("export function f(): void {\n  console.warn('x');\n}\n", { filePath: path.join(root, file) });
      return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-globals').map((m) => m.message);
    };
    expect((await consoleErrors('main/sessions/session-manager.ts')).join()).toMatch(/Use log\.info\/warn\/error/);
    expect(await consoleErrors('main/events.ts')).toHaveLength(1);
    expect(await consoleErrors('main/surfaces/chat/chat-bridge.ts')).toHaveLength(1);
    for (const allowed of ['main/serve.ts', 'main/bin.ts', 'main/index.ts', 'main/mcp/stdio-bridge.ts', 'main/log.ts', 'main/sessions/session-manager.test.ts', 'main/testing/wait.ts', 'renderer/src/x.ts']) {
      expect(await consoleErrors(allowed), allowed).toEqual([]);
    }
    // And the code as it is has none (a text scan: linting all of main/ here would take a minute).
    const allowed = new Set(['serve.ts', 'bin.ts', 'index.ts', 'mcp/stdio-bridge.ts', 'log.ts']);
    const files = fs.readdirSync(path.join(root, 'main'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('testing') && !allowed.has(f));
    expect(files.filter((f) => /\bconsole\.\w+\(/.test(fs.readFileSync(path.join(root, 'main', f), 'utf8')))).toEqual([]);
  });

  it('has a layer table without cycles that names every folder of main/', () => {
    const table = layers;
    const folders = fs.readdirSync(path.join(root, 'main'), { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'testing').map((d) => d.name);
    expect(folders.filter((f) => !(f in table))).toEqual([]);
    // Depth-first search: a folder met again while still on the path closes a cycle.
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (name: string, trail: string[]): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'open') return void cycles.push([...trail, name].join(' → '));
      state.set(name, 'open');
      for (const next of table[name] ?? []) visit(next, [...trail, name]);
      state.set(name, 'done');
    };
    for (const name of Object.keys(table)) visit(name, []);
    expect(cycles).toEqual([]);
    for (const [name, allowed] of Object.entries(table)) expect(allowed.filter((a) => !(a in table)), name).toEqual([]);
  });
});
