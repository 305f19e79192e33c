import type { Migration } from '../migrate';

/**
 * Stands in for migration 0016, which another branch of this wave adds: versions must follow one another.
 * Delete this file (and its line in index.ts) when that branch's 0016 is merged.
 */
export default {
  version: 16,
  name: '0016-reserved',
  sql: '',
} satisfies Migration;
