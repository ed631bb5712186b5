import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { readBytes, writeFileAtomic, writeFilesAtomic } from '../../../src/io/node/files.js';
import { claimFolder, makeFolder } from '../../../src/io/node/folders.js';
import { tmpfs } from '../../helpers/tmpfs.js';

// The one write path, the one read path and the one claim of an output folder, on their own.

const dir = mkdtempSync(join(tmpdir(), 'scratchnet-files-'));
const disk = tmpfs('256k');
after(() => disk.unmount());

const refuses = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: Error) => e instanceof InputError && message.test(e.message) && !e.message.includes('\n'), String(message));

test('writeFileAtomic on a full disk: an error naming the disk, the old file whole, no temporary file left', { skip: disk.skip }, () => {
  const path = join(disk.dir, 'model.json');
  writeFileAtomic(path, 'the saved model');
  // larger than the disk: the write fails part-way, after some blocks were written
  refuses(
    () => writeFileAtomic(path, new Uint8Array(300 * 1024).fill(7)),
    /^cannot write .*model\.json: the disk is full; the file is as it was$/,
  );
  assert.equal(readFileSync(path, 'utf8'), 'the saved model');
  refuses(() => writeFileAtomic(join(disk.dir, 'new.bin'), new Uint8Array(300 * 1024)), /new\.bin: the disk is full; nothing was written$/);
  assert.deepEqual(readdirSync(disk.dir), ['model.json']);
  // what fits is written whole, to the byte
  const text = '가중치 W₁ '.repeat(5000);
  writeFileAtomic(path, text);
  assert.equal(readFileSync(path, 'utf8'), text);
});

test("writeFileAtomic keeps the target's mode, refuses a file with other hard links and a folder, clears dead writers' files", () => {
  const path = join(dir, 'kept.json');
  writeFileSync(path, 'a');
  for (const mode of [0o600, 0o755, 0o640]) {
    chmodSync(path, mode);
    writeFileAtomic(path, 'b');
    assert.equal(statSync(path).mode & 0o777, mode);
  }
  linkSync(path, join(dir, 'kept-too.json'));
  refuses(() => writeFileAtomic(path, 'c'), /kept\.json: it has 2 hard links/);
  assert.equal(readFileSync(join(dir, 'kept-too.json'), 'utf8'), 'b');
  mkdirSync(join(dir, 'folder.json'));
  refuses(() => writeFileAtomic(join(dir, 'folder.json'), 'x'), /folder\.json: it is a directory, expected a file/);
  refuses(() => writeFileAtomic(join(dir, 'no', 'such', 'x.json'), 'x'), /cannot write .*x\.json: no such folder; nothing was written/);

  // the temporary files of a process that is gone are removed; those of one alive, and others, stay
  const dead = join(dir, '.fresh.json.999999999.3.tmp');
  const living = join(dir, `.fresh.json.${process.ppid}.1.tmp`);
  const other = join(dir, '.another.json.999999999.1.tmp');
  for (const p of [dead, living, other]) writeFileSync(p, 'half');
  writeFileAtomic(join(dir, 'fresh.json'), 'whole');
  assert.deepEqual([existsSync(dead), existsSync(living), existsSync(other)], [false, true, true]);
});

test('readBytes reads regular files only, of a bounded size', () => {
  const path = join(dir, 'data.bin');
  writeFileSync(path, Uint8Array.of(1, 2, 3));
  assert.deepEqual([...readBytes(path)], [1, 2, 3]);
  refuses(() => readBytes(path, 2), /data\.bin: it has 3 bytes, more than the 2 a file may have here/);
  refuses(() => readBytes(join(dir, 'missing.bin')), /^cannot read .*missing\.bin: no such file$/);
  refuses(() => readBytes(dir), /it is a directory, expected a file/);
  refuses(() => readBytes('/dev/zero'), /cannot read \/dev\/zero: it is not a regular file/);
  const fifo = join(dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  refuses(() => readBytes(fifo), /fifo: it is not a regular file/); // refused before it is opened: no hang
});

test('claimFolder takes a new or empty folder and nothing else; release takes back what a failed command wrote and made', () => {
  const fresh = join(dir, 'runs', 'a');
  const claim = claimFolder(fresh, '--out');
  assert.deepEqual(claim.made, [join(dir, 'runs'), fresh], 'the folders it made, outermost first');
  assert.deepEqual(claimFolder(fresh, '--out').made, [], 'an empty folder is claimed as it is');
  claim.write(['metrics.json', '{}']);
  refuses(() => claimFolder(fresh, '--out'), /a already holds a run \(metrics\.json\), expected a new folder/);
  claim.release();
  assert.ok(!existsSync(join(dir, 'runs')), 'the run, its folder and the folder made above it are gone');

  const notes = join(dir, 'notes');
  mkdirSync(notes);
  for (const f of ['1.md', '2.md', '3.md', '4.md']) writeFileSync(join(notes, f), f);
  refuses(() => claimFolder(notes, '--out'), /notes is not empty \(it holds 1\.md, 2\.md, 3\.md, …\), expected a new or empty folder/);
  refuses(() => claimFolder(join(notes, '1.md'), '--checkpoint-dir'), /^--checkpoint-dir .*1\.md is a file, expected a folder$/);
  refuses(() => claimFolder('  ', '--out'), /^--out is empty, expected the path of a folder$/);
  refuses(() => claimFolder(join(notes, '1.md', 'sub'), '--out'), /a part of the path is a file, not a folder/);
  refuses(() => makeFolder('/proc/scratchnet-test/a'), /^cannot make the folder \/proc\/scratchnet-test\/a: /); // no endless loop

  // a folder made above the claim that something else wrote into meanwhile stays, with what it holds
  const shared = claimFolder(join(dir, 'shared', 'run'), '--out');
  writeFileSync(join(dir, 'shared', 'other.txt'), 'other');
  shared.write(['model.json', '{}']);
  shared.release();
  assert.deepEqual(readdirSync(join(dir, 'shared')), ['other.txt']);
});

test('writeFilesAtomic writes all or none: a full disk on the last file leaves every target as it was', { skip: disk.skip }, () => {
  const [a, b, c] = ['a.json', 'b.json', 'c.bin'].map((n) => join(disk.dir, n));
  writeFileSync(a, 'old a');
  refuses(
    () =>
      writeFilesAtomic([
        [a, 'new a'],
        [b, 'new b'],
        [c, new Uint8Array(400 * 1024)],
      ]),
    /cannot write .*c\.bin: the disk is full; nothing was written/,
  );
  assert.deepEqual(readdirSync(disk.dir).sort(), ['a.json', 'model.json']);
  assert.equal(readFileSync(a, 'utf8'), 'old a');
  writeFilesAtomic([
    [a, 'new a'],
    [b, 'new b'],
  ]);
  assert.deepEqual([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')], ['new a', 'new b']);
});
