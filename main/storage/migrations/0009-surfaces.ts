import type { Migration } from '../migrate';

export default {
  version: 9,
  name: '0009-surfaces',
  sql: `
    -- Surfaces become one closed set (contract/sessions.ts): the browser and the HTTP API are
    -- 'browser', scheduled jobs 'schedule', Claude Code sessions from outside the app 'external'
    -- ('terminal' was also the name of the pty terminals).
    UPDATE sessions SET surface = CASE surface WHEN 'web' THEN 'browser' WHEN 'api' THEN 'browser' WHEN 'scheduler' THEN 'schedule' WHEN 'terminal' THEN 'external' ELSE surface END;
    UPDATE turns SET surface = CASE surface WHEN 'web' THEN 'browser' WHEN 'api' THEN 'browser' WHEN 'scheduler' THEN 'schedule' WHEN 'terminal' THEN 'external' ELSE surface END;
    UPDATE messages SET surface = CASE surface WHEN 'web' THEN 'browser' WHEN 'api' THEN 'browser' WHEN 'scheduler' THEN 'schedule' WHEN 'terminal' THEN 'external' ELSE surface END
      WHERE surface IN ('web', 'api', 'scheduler', 'terminal');
    UPDATE approvals SET answered_via = CASE answered_via WHEN 'web' THEN 'browser' WHEN 'api' THEN 'browser' ELSE answered_via END
      WHERE answered_via IN ('web', 'api');
  `,
} satisfies Migration;
