import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

/** The compiled command line (SCRATCHNET_CLI names another build's, to run the command-line tests against it). */
export const CLI = process.env.SCRATCHNET_CLI ?? join(repoRoot, 'dist', 'src', 'cli', 'main.js');

/**
 * A scratch folder and the command line run in it: `cli(...args)` gives status, stdout and stderr;
 * `file(name, content)` writes a file there (JSON for anything that is not text or bytes).
 */
export function cliSandbox(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `scratchnet-${prefix}-`));
  const cli = (...args: string[]) => {
    // a command that hangs fails its test (status null) instead of holding the run
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
    return path;
  };
  return { dir, cli, file };
}
