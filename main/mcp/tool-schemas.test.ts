import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { tools } from '../tools/registry';
import { toolSchemas } from './mcp-service';

/** Every place a schema says `type` as a list (`[X, "null"]`): clients and validators that want one type reject it. */
function typeLists(schema: unknown, at = '#'): string[] {
  if (!schema || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap((s, i) => typeLists(s, `${at}/${i}`));
  return Object.entries(schema).flatMap(([key, value]) => (key === 'type' && Array.isArray(value) ? [at] : key === 'enum' || key === 'default' || key === 'const' ? [] : typeLists(value, `${at}/${key}`)));
}

describe('the tools’ JSON Schemas', () => {
  it('compile in Ajv’s strict mode with no warning, and use no type lists', () => {
    const warnings: string[] = [];
    for (const t of tools) {
      for (const [io, schema] of Object.entries(toolSchemas(t))) {
        const ajv = new Ajv2020({ strict: true, allErrors: true, logger: { log: () => {}, warn: (...a: unknown[]) => warnings.push(`${t.name} ${io}: ${a.join(' ')}`), error: (...a: unknown[]) => warnings.push(`${t.name} ${io}: ${a.join(' ')}`) } });
        expect(() => ajv.compile(schema as object), `${t.name} ${io}`).not.toThrow();
        for (const at of typeLists(schema)) warnings.push(`${t.name} ${io}: type list at ${at}`);
      }
    }
    expect(warnings).toEqual([]);
  });

  it('describe the values the tools take and give: a nullable field takes null and its type, an unknown argument is refused', () => {
    const ajv = new Ajv2020({ strict: true });
    const task = toolSchemas(tools.find((t) => t.name === 'get_task')!);
    const output = ajv.compile(task.output as object);
    const turn = { sessionId: 's', turnId: 't', status: 'done', text: null, error: null, costUsd: 0.1, denials: [], timedOut: false, files: [] };
    expect(output({ ...turn, files: [{ name: 'a.csv', size: 3, path: '/tmp/a.csv' }] })).toBe(true);
    expect(output({ ...turn, files: [{ name: 'a.csv' }] })).toBe(false);
    expect(output(turn)).toBe(true);
    expect(output({ ...turn, text: 'hi' })).toBe(true);
    expect(output({ ...turn, text: 3 })).toBe(false);
    const input = ajv.compile(task.input as object);
    expect(input({ turn_id: 't' })).toBe(true);
    expect(input({ turn_id: 't', extra: 1 })).toBe(false);
    const job = ajv.compile(toolSchemas(tools.find((t) => t.name === 'create_job')!).input as object);
    expect(job({ name: 'n', kind: 'shell', cron: '* * * * *', command: 'echo', model: null })).toBe(true);
  });
});
