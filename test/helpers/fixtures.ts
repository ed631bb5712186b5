import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: tests run compiled from dist/test/…, fixtures stay in test/fixtures. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A committed JSON fixture, parsed. */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', name), 'utf8')) as T;
}
