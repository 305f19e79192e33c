import { describe, expect, it } from 'vitest';
import { methods } from './index';

const message = (method: keyof typeof methods, input: unknown) => {
  const parsed = methods[method].input.safeParse(input);
  return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('validation messages in the user’s words', () => {
  it('says what a value must be, never what the validator expected', () => {
    expect(message('settings.set', { key: 'sessions.maxProcesses', value: 2.5 })).toBe('value: must be a whole number');
    expect(message('settings.set', { key: 'sessions.maxProcesses', value: 0 })).toBe('value: must be at least 1');
    expect(message('settings.set', { key: 'sessions.maxProcesses', value: 99 })).toBe('value: must be at most 64');
    expect(message('settings.set', { key: 'embeddings.ollamaUrl', value: 'localhost' })).toMatch(/^value: must be a web address/);
    expect(message('settings.set', { key: 'appearance.theme', value: 'pink' })).toBe('value: must be one of: system, light, dark');
    expect(message('schedules.create', { name: 'x', kind: 'shell', cron: '* * * * *', command: 'true', timeoutSeconds: 'soon' })).toBe('timeoutSeconds: must be a number');
    expect(message('schedules.create', { name: '', kind: 'shell', cron: '* * * * *', command: 'true' })).toBe('name: must not be empty');
    for (const text of [message('settings.set', { key: 'sessions.maxProcesses', value: 2.5 }), message('schedules.create', { kind: 'shell' })]) {
      expect(text).not.toMatch(/Invalid input|expected|received/);
    }
  });
});
