// `npm run bench [-- GROUP ...] [--json FILE]`: runs benchmark groups and prints one table.
import fs from 'node:fs';
import { changesGroup } from './changes';
import { coreGroup } from './core';
import { inboxGroup } from './inbox';
import { mcpGroup } from './mcp';
import { meetsGoal, type BenchGroup, type Figure } from './figures';
import { schedulerGroup } from './scheduler';
import { search1mGroup, searchGroup } from './search';
import { serverGroup } from './server';
import { sessionsGroup } from './sessions';
import { telegramGroup } from './telegram';
import { discordGroup } from './discord';
import { usageGroup } from './usage';

const groups: BenchGroup[] = [coreGroup, sessionsGroup, searchGroup, search1mGroup, schedulerGroup, serverGroup, telegramGroup, discordGroup, mcpGroup, usageGroup, inboxGroup, changesGroup];

function parseArgs(argv: string[]): { names: string[]; json: string | null } {
  const names: string[] = [];
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') {
      json = argv[++i] ?? null;
      if (!json) throw new Error('--json needs a file name');
    } else names.push(argv[i]!);
  }
  return { names, json };
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function goalText(figure: Figure): string {
  if (!figure.goal) return '';
  return [figure.goal.below !== undefined ? `< ${figure.goal.below}` : '', figure.goal.above !== undefined ? `> ${figure.goal.above}` : ''].join(' ').trim();
}

function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => {
    const met = meetsGoal(f);
    return [f.name, format(f.value), f.unit, goalText(f), met === null ? '' : met ? 'met' : 'MISSED', f.note ?? ''];
  });
  const header = ['figure', 'value', 'unit', 'goal', '', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const { names, json } = parseArgs(process.argv.slice(2));
  const unknown = names.filter((n) => !groups.some((g) => g.name === n));
  if (unknown.length) throw new Error(`unknown group ${unknown.join(', ')}; groups: ${groups.map((g) => g.name).join(', ')}`);
  // search-1m takes minutes: only when named.
  const chosen = names.length ? groups.filter((g) => names.includes(g.name)) : groups.filter((g) => g !== search1mGroup);
  const figures: Figure[] = [];
  for (const group of chosen) {
    // Each group starts on a clean heap: no figure pays for the garbage of the group before it.
    (globalThis as { gc?: () => void }).gc?.();
    console.error(`bench: ${group.name}: ${group.description}…`);
    figures.push(...(await group.run()));
  }
  printTable(figures);
  if (json) {
    const out = Object.fromEntries(figures.map((f) => [f.name, { value: f.value, unit: f.unit }]));
    fs.writeFileSync(json, `${JSON.stringify(out, null, 2)}\n`);
    console.error(`bench: wrote ${json}`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
