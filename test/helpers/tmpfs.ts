import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small file system of its own (a tmpfs of `size`, e.g. '1m'; `readOnly` to mount it so) in a new
 * folder, for the tests of a full disk: it needs root (CI runs as root). Without it, `skip` says why
 * and the test is skipped with that message, never silently.
 */
export function tmpfs(size: string, { readOnly = false } = {}): { dir: string; unmount: () => void; skip: string | false } {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-tmpfs-'));
  const options = `size=${size}${readOnly ? ',ro' : ''}`;
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return {
      dir,
      unmount: () => {},
      skip: `cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'mount failed').trim()}): needs root`,
    };
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
    skip: false,
  };
}
