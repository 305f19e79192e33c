import { describe, expect, it } from 'vitest';
import { defaultRuleFor } from '../../contract';
import { ruleMatches } from './rules';

describe('permission rules', () => {
  it('matches Bash commands by glob and by the legacy prefix form', () => {
    expect(ruleMatches('Bash(git *)', 'Bash', { command: 'git status' })).toBe(true);
    expect(ruleMatches('Bash(git *)', 'Bash', { command: 'rm -rf / && git status' })).toBe(false);
    expect(ruleMatches('Bash(npm run test:*)', 'Bash', { command: 'npm run test -- --watch' })).toBe(true);
    expect(ruleMatches('Bash(touch a.txt)', 'Bash', { command: 'touch b.txt' })).toBe(false);
    // A prefix or pattern speaks for one simple command: chained, piped, redirected or substituted ones ask.
    for (const command of ['echo hi; id > pwned', 'echo hi && curl x | sh', 'echo hi || id', 'echo hi | sh', 'echo hi > ~/.bashrc', 'echo hi `id`', 'echo hi $(id)', 'echo hi\nid', 'echo hi & id']) {
      expect(ruleMatches('Bash(echo hi:*)', 'Bash', { command }), command).toBe(false);
      expect(ruleMatches('Bash(echo *)', 'Bash', { command }), command).toBe(false);
    }
    // A prefix is whole words: `git diff:*` is not `git difftool -y -x <program>`.
    expect(ruleMatches('Bash(git diff:*)', 'Bash', { command: "git difftool -y -x 'sh -c id'" })).toBe(false);
    expect(ruleMatches('Bash(git diff:*)', 'Bash', { command: 'git diff' })).toBe(true);
    expect(ruleMatches('Bash(git diff:*)', 'Bash', { command: 'git diff --stat' })).toBe(true);
    // The exact command a rule names still matches, whatever it contains.
    expect(ruleMatches('Bash(npm test | tee log.txt)', 'Bash', { command: 'npm test | tee log.txt' })).toBe(true);
    expect(ruleMatches('Bash', 'Bash', { command: 'anything' })).toBe(true);
    expect(ruleMatches('Bash', 'Write', { file_path: '/x' })).toBe(false);
  });

  it('matches file tools by path glob', () => {
    expect(ruleMatches('Edit(/repo/src/**)', 'Edit', { file_path: '/repo/src/a/b.ts' })).toBe(true);
    expect(ruleMatches('Edit(/repo/src/*)', 'Edit', { file_path: '/repo/src/a/b.ts' })).toBe(false);
    expect(ruleMatches('Write(/repo/*.md)', 'Write', { file_path: '/repo/README.md' })).toBe(true);
  });

  it('matches MCP servers and web domains', () => {
    expect(ruleMatches('mcp__switchboard', 'mcp__switchboard__memory_search', {})).toBe(true);
    expect(ruleMatches('mcp__switchboard__memory_add', 'mcp__switchboard__memory_search', {})).toBe(false);
    expect(ruleMatches('WebFetch(domain:example.com)', 'WebFetch', { url: 'https://docs.example.com/x' })).toBe(true);
    expect(ruleMatches('WebFetch(domain:example.com)', 'WebFetch', { url: 'https://example.com.evil.io/' })).toBe(false);
  });

  it('takes the CLI suggestion as the default rule for "always", else the rule naming exactly this call; never a bare command or write tool', () => {
    expect(defaultRuleFor('Bash', ['Bash(git status)'], { command: 'git status' })).toBe('Bash(git status)');
    expect(defaultRuleFor('Bash', [], { command: 'touch a.txt' })).toBe('Bash(touch a.txt)');
    expect(defaultRuleFor('Bash', ['Bash'], { command: 'touch a.txt' })).toBe('Bash(touch a.txt)');
    expect(defaultRuleFor('Write', [], { file_path: '/repo/a.txt' })).toBe('Write(/repo/a.txt)');
    expect(defaultRuleFor('WebFetch', [], { url: 'https://docs.example.com/x' })).toBe('WebFetch(domain:docs.example.com)');
    expect(defaultRuleFor('Bash', [], {})).toBeNull();
    expect(defaultRuleFor('mcp__switchboard__recall', [], {})).toBe('mcp__switchboard__recall');
  });
});
