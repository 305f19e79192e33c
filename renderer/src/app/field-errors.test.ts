import { describe, expect, it } from 'vitest';
import { errorsByField, inLabels } from './field-errors';

describe('field errors', () => {
  it('puts each message under its field and keeps the rest', () => {
    expect(errorsByField('cron: minute: 61 is outside 0-59; env.A: must not contain a NUL character; boom', ['cron', 'env'])).toEqual({
      byField: { cron: 'minute: 61 is outside 0-59', env: 'must not contain a NUL character' },
      rest: ['boom'],
    });
    expect(errorsByField(null, ['cron'])).toEqual({ byField: {}, rest: [] });
  });

  it('names fields as the form labels them', () => {
    expect(inLabels('timeoutSeconds: must be a number; cwd: must be a full path', { timeoutSeconds: 'Timeout (s)', cwd: 'Folder' })).toBe('Timeout (s): must be a number; Folder: must be a full path');
  });
});
