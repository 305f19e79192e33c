import { afterEach } from 'vitest';
import { startHarness, type Harness } from './claude-harness';

/**
 * Starts a harness (a core with the real CLI against the API stand-in) that is closed when the test ends:
 * call once at the top of a test file, then `await start()` in a test. Kept apart from claude-harness.ts,
 * which the benchmarks import outside vitest.
 */
export function harnessPerTest(): (options?: Parameters<typeof startHarness>[0]) => Promise<Harness> {
  let current: Harness | null = null;
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return async (options) => (current = await startHarness(options));
}
