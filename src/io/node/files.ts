// Every file scratchnet reads or writes goes through here: reads of regular files of a bounded size,
// and the one write path (all bytes or nothing, flushed, then renamed into place). A file-system
// error becomes one InputError saying what could not be done, why, and that nothing was changed.
// The one claim of an output folder is in folders.ts.
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../errors.js';
import { printable } from '../printable.js';

/** The largest file scratchnet reads (a model, a data set, an image): 2 GiB. */
export const MAX_READ_BYTES = 2 ** 31 - 1;

/** Why a file-system call failed, in words (not the errno code); `action` tells a missing file from a missing folder. */
export function reason(error: unknown, action = 'read'): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: action === 'write' ? 'no such folder' : action === 'read' ? 'no such file' : 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EROFS: 'the file system is read-only',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'it exists already',
    ENAMETOOLONG: 'the name is too long',
    EMFILE: 'too many files are open',
    EIO: 'an input/output error of the disk',
  };
  return (code && words[code]) || printable(((error as Error)?.message ?? String(error)).split('\n')[0]);
}

/** A file-system error as one line: `cannot write x.json: the disk is full`. */
export function fileError(error: unknown, action: string, path: string, after = ''): InputError {
  if (error instanceof InputError) return error;
  return new InputError(`cannot ${action} ${printable(path)}: ${reason(error, action)}${after}`);
}

/**
 * The bytes of a regular file of at most `maxBytes`, or an {@link InputError} naming the file and
 * why it could not be read. A FIFO, a device or a folder is refused before anything is read.
 */
export function readBytes(path: string, maxBytes = MAX_READ_BYTES): Uint8Array {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw fileError(error, 'read', path);
  }
  if (stats.isDirectory()) throw new InputError(`cannot read ${printable(path)}: it is a directory, expected a file`);
  if (!stats.isFile())
    throw new InputError(`cannot read ${printable(path)}: it is not a regular file (a pipe or a device), expected a file`);
  if (stats.size > maxBytes)
    throw new InputError(`cannot read ${printable(path)}: it has ${stats.size} bytes, more than the ${maxBytes} a file may have here`);
  try {
    return readFileSync(path);
  } catch (error) {
    throw fileError(error, 'read', path);
  }
}

/**
 * Parses a JSON file; an unreadable file or invalid JSON is one clear {@link InputError}.
 * (`__proto__` keys in the file become plain own properties: JSON.parse never sets a prototype.)
 */
export function readJsonFile(path: string): unknown {
  const text = new TextDecoder().decode(readBytes(path));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${printable(path)} is not valid JSON: ${printable((error as Error).message.split('\n')[0])}`);
  }
}

let staged = 0;

/** A file written in full beside its target but not yet in place: `commit` puts it there, `abort` removes it. */
export interface StagedFile {
  readonly path: string;
  commit(): void;
  abort(): void;
}

/**
 * Writes a file so that nothing is ever lost or seen half-written: the data goes to a temporary
 * file in the same folder, every byte of it (a short write is retried, a full disk is an error),
 * is flushed to disk, takes the mode of the file it replaces, and is renamed over the target in
 * one step; the folder is flushed too. On any failure the temporary file is removed and the target
 * is left as it was. Temporary files that a killed process left beside the target are removed
 * first. A target with other hard links is refused: replacing it would leave them the old content.
 *
 * @example
 * writeFileAtomic('runs/a/model.json', JSON.stringify(net.toJSON()));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  stageFile(path, data).commit();
}

/**
 * Writes several files as {@link writeFileAtomic} does, all or none: every one is written in full
 * and flushed before any is put in place, so a full disk or any other failure while writing leaves
 * every target as it was. They are put in place in the order given.
 *
 * @example
 * writeFilesAtomic([['runs/a/model.json', text], ['runs/a/metrics.json', metrics]]);
 */
export function writeFilesAtomic(files: [path: string, data: string | Uint8Array][]): void {
  const ready: StagedFile[] = [];
  try {
    for (const [path, data] of files) ready.push(stageFile(path, data));
  } catch (error) {
    for (const file of ready) file.abort();
    throw error;
  }
  ready.forEach((file, i) => {
    try {
      file.commit();
    } catch (error) {
      for (const rest of ready.slice(i + 1)) rest.abort();
      throw error;
    }
  });
}

/** The first half of {@link writeFileAtomic}: the data written in full to a temporary file beside `path`. */
export function stageFile(path: string, data: string | Uint8Array): StagedFile {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const folder = dirname(path);
  const name = basename(path);
  let target: Stats | undefined;
  try {
    target = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, 'write', path);
  }
  if (target?.isDirectory()) throw new InputError(`cannot write ${printable(path)}: it is a directory, expected a file`);
  if (target && target.nlink > 1)
    throw new InputError(
      `cannot write ${printable(path)}: it has ${target.nlink} hard links, and replacing it would leave the others the old content; expected a file of its own`,
    );
  const failed = (error: unknown) => fileError(error, 'write', path, target ? '; the file is as it was' : '; nothing was written');
  removeStale(folder, name);
  const temporary = join(folder, `.${name}.${process.pid}.${++staged}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', 0o666);
    if (target) fchmodSync(fd, target.mode & 0o7777);
    for (let at = 0; at < bytes.length; ) {
      const n = writeSync(fd, bytes, at, bytes.length - at);
      if (n <= 0) throw Object.assign(new Error('no byte written'), { code: 'ENOSPC' });
      at += n;
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw failed(error);
  }
  return {
    path,
    commit() {
      try {
        renameSync(temporary, path);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw failed(error);
      }
      syncFolder(folder);
    },
    abort() {
      rmSync(temporary, { force: true });
    },
  };
}

// The folder's entry of a renamed file reaches the disk only when the folder itself is flushed.
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // a file system that cannot flush a folder (or a platform that cannot open one) has done what it can
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The temporary files of writes of `name` whose process is gone (killed mid-write), removed. */
function removeStale(folder: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return; // the write itself says what is wrong with the folder
  }
  const prefix = `.${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(folder, entry), { force: true });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
