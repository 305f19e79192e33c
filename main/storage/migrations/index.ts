import type { Migration } from '../migrate';
import m0001 from './0001-settings';

/** In order; a test checks that every numbered file in this folder is listed here. */
export const migrations: readonly Migration[] = [m0001];
