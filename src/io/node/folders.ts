// The one claim of an output folder: new or empty, never one that holds a run or anything else,
// and what a failed command wrote and made taken back.
import { mkdirSync, readdirSync, rmdirSync, rmSync, type Stats, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { printable } from '../printable.js';
import { fileError, writeFilesAtomic } from './files.js';

/**
 * Makes a folder and the folders above it that are missing, one at a time (Node's recursive mkdir
 * loops forever where a file system answers ENOENT for a folder it has, as /proc does). Returns
 * the folders it made, outermost first.
 */
export function makeFolder(path: string): string[] {
  const full = resolve(path);
  const missing: string[] = [];
  for (let p = full; ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) throw new InputError(`cannot make the folder ${printable(path)}: ${printable(p)} is a file`);
      break;
    } catch (error) {
      if (error instanceof InputError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) throw fileError(error, 'make the folder', path);
      missing.push(p);
    }
  }
  const made: string[] = [];
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
      made.push(p);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        removeFolders(made);
        throw fileError(error, 'make the folder', path);
      }
    }
  }
  return made;
}

// the folders a command made, innermost first, each only if it is empty: whatever else is there stays
function removeFolders(made: string[]): void {
  for (const folder of [...made].reverse()) {
    try {
      rmdirSync(folder);
    } catch {
      return;
    }
  }
}

/**
 * A folder claimed for a command's output (by {@link claimFolder}): files go into it with `write`,
 * and a command that fails calls `release` to take back what it wrote and the folders it made.
 */
export class FolderClaim {
  /** The files written into the folder so far. */
  readonly written: string[] = [];

  constructor(
    readonly path: string,
    /** The folders made to claim it (itself and missing ones above it), outermost first. */
    readonly made: readonly string[],
  ) {}

  /** Writes files into the folder, all or none ({@link writeFilesAtomic}); `name` is relative to the folder. */
  write(...files: [name: string, data: string | Uint8Array][]): void {
    const paths = files.map(([name]) => join(this.path, name));
    writeFilesAtomic(files.map(([, data], i) => [paths[i], data]));
    this.written.push(...paths);
  }

  /** Takes back what a failed command wrote: the files it wrote, then the folders it made that are left empty. */
  release(): void {
    for (const file of this.written) rmSync(file, { force: true });
    this.written.length = 0;
    removeFolders([...this.made]);
  }
}

/**
 * Claims a folder for a command's output: it must be new (it is made, with any missing folder
 * above it) or empty, so that nothing saved is ever overwritten: a folder holding a run, or
 * anything else, is refused. `flag` names the folder in messages (`--out`).
 *
 * @example
 * const out = claimFolder('runs/a', '--out');
 * try { out.write(['model.json', text]); } catch (error) { out.release(); throw error; }
 */
export function claimFolder(path: string, flag: string): FolderClaim {
  if (path.trim() === '') throw new InputError(`${flag} is empty, expected the path of a folder`);
  let stats: Stats | undefined;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, 'use the folder', path);
  }
  if (!stats) return new FolderClaim(path, makeFolder(path));
  if (!stats.isDirectory()) throw new InputError(`${flag} ${printable(path)} is a file, expected a folder`);
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch (error) {
    throw fileError(error, 'read the folder', path);
  }
  if (entries.includes('metrics.json'))
    throw new InputError(`${printable(path)} already holds a run (metrics.json), expected a new folder: nothing saved is overwritten`);
  if (entries.length > 0) {
    const shown = entries.slice(0, 3).map(printable).join(', ');
    throw new InputError(
      `${printable(path)} is not empty (it holds ${shown}${entries.length > 3 ? ', …' : ''}), expected a new or empty folder: nothing in it is overwritten`,
    );
  }
  return new FolderClaim(path, []);
}
