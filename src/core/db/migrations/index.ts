import { m0001Initial } from './0001-initial';
import type { Migration } from './types';

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [m0001Initial];
