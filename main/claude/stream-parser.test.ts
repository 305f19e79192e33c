import { describe, expect, it } from 'vitest';
import { LineSplitter, parseLine } from './stream-parser';

describe('LineSplitter', () => {
  it('reassembles lines split anywhere, including inside a multi-byte character', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('{"a":"héllo ✓"}\n{"b":2}\n\n{"c"', 'utf8');
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    splitter.push(':3}');
    splitter.end();
    expect(lines).toEqual(['{"a":"héllo ✓"}', '{"b":2}', '{"c":3}']);
  });
});

describe('parseLine', () => {
  it('types the lines the CLI writes', () => {
    expect(parseLine('{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}},"parent_tool_use_id":null}')).toEqual([
      { type: 'text_delta', text: 'Hi', parentToolUseId: null },
    ]);
    const [toolUse] = parseLine('{"type":"assistant","message":{"id":"m1","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}]},"parent_tool_use_id":null}');
    expect(toolUse).toEqual({ type: 'assistant', block: { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }, messageId: 'm1', parentToolUseId: null, error: null });
    const [question] = parseLine(
      '{"type":"control_request","request_id":"r1","request":{"subtype":"can_use_tool","tool_name":"Bash","input":{"command":"git status"},"tool_use_id":"t1","permission_suggestions":[{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"git status"}],"behavior":"allow"}]}}',
    );
    expect(question).toMatchObject({ type: 'permission_request', requestId: 'r1', question: { toolName: 'Bash', suggestions: ['Bash(git status)'], toolUseId: 't1' } });
  });

  it('judges a result by is_error, not by subtype', () => {
    const [event] = parseLine('{"type":"result","subtype":"success","is_error":true,"result":"Invalid API key","session_id":"s","total_cost_usd":0}');
    expect(event).toMatchObject({ type: 'result', result: { isError: true, subtype: 'success', text: 'Invalid API key' } });
  });

  it('keeps unknown types and reports non-JSON, never throwing', () => {
    expect(parseLine('{"type":"brand_new","x":1}')).toEqual([{ type: 'unknown', raw: { type: 'brand_new', x: 1 } }]);
    expect(parseLine('[1,2]')).toEqual([{ type: 'unknown', raw: [1, 2] }]);
    expect(parseLine('Segmentation fault')[0]).toMatchObject({ type: 'malformed', line: 'Segmentation fault' });
  });

  it('survives fuzzed input: random bytes, truncated lines and mutated fields', () => {
    const samples = [
      '{"type":"assistant","message":{"id":"m","content":[{"type":"text","text":"hello"}]},"parent_tool_use_id":null}',
      '{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"x"}],"is_error":false}]}}',
      '{"type":"result","subtype":"success","is_error":false,"result":"ok","usage":{"input_tokens":1},"permission_denials":[{"tool_name":"Bash"}]}',
      '{"type":"control_request","request_id":"r","request":{"subtype":"can_use_tool","tool_name":"Write","input":{},"permission_suggestions":[{"rules":[null,1,{"toolName":"Write"}]}]}}',
      '{"type":"system","subtype":"init","session_id":"s","tools":["Bash"]}',
    ];
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = ['null', '1', '"s"', '[]', '{}', 'true', '[{"type":"text"}]', '{"type":"tool_use"}'];
    let parsed = 0;
    for (let i = 0; i < 5000; i++) {
      const sample = samples[i % samples.length]!;
      let line: string;
      const mode = i % 4;
      if (mode === 0) line = sample.slice(0, Math.floor(random() * sample.length));
      else if (mode === 1) line = Array.from({ length: 40 }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
      else if (mode === 2) line = sample.replace(/:(\[[^\]]*\]|"[^"]*"|\d+|true|false|null)/, `:${values[Math.floor(random() * values.length)]}`);
      else line = sample.replace(/"[a-z_]+":/g, (m) => (random() < 0.3 ? `"${m.slice(1, -2).toUpperCase()}":` : m));
      const events = parseLine(line);
      expect(Array.isArray(events)).toBe(true);
      for (const event of events) expect(typeof event.type).toBe('string');
      parsed += events.length;
    }
    expect(parsed).toBeGreaterThan(1000);
  });
});
