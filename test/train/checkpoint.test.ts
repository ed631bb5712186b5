import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { subset } from '../../src/data/mnist.js';
import { ScratchnetError } from '../../src/errors.js';
import { loadMnist } from '../../src/io/node/mnist-files.js';
import { MultiLayerNetExtend } from '../../src/nets/multi-layer-net.js';
import { makeOptimizer, type OptimizerName } from '../../src/optim/optimizers.js';
import { Rng } from '../../src/tensor/rng.js';
import { checkpointFromBytes, checkpointToBytes, loadWeights } from '../../src/train/checkpoint.js';
import { trainNet } from '../../src/train/run.js';
import { DivergenceError, type TrainingState } from '../../src/train/trainer.js';
import { repoRoot } from '../helpers/fixtures.js';

const mnist = loadMnist();
const train = subset(mnist.train, 600);
const test10k = subset(mnist.test, 100);
const net = (rng: Rng) => new MultiLayerNetExtend(784, [20], 10, { batchNorm: true, dropout: 0.2, rng });

for (const optimizer of ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'] as OptimizerName[]) {
  test(`a run stopped at a checkpoint and resumed from its bytes ends bit for bit as an uninterrupted one (${optimizer})`, () => {
    const options = { iters: 30, batchSize: 50 };
    const rngA = new Rng(3);
    const a = net(rngA);
    trainNet(a, makeOptimizer(optimizer, 0.01), train, test10k, { ...options, rng: rngA });

    // The same run, checkpointed at 10, abandoned, then resumed in a fresh network from the bytes.
    let saved: Uint8Array | undefined;
    const rngB = new Rng(3);
    const b = net(rngB);
    assert.throws(() =>
      trainNet(b, makeOptimizer(optimizer, 0.01), train, test10k, {
        ...options,
        rng: rngB,
        checkpointEvery: 10,
        onCheckpoint: (state: TrainingState) => {
          saved = checkpointToBytes(b, state);
          throw new Error('killed');
        },
      }),
    );
    assert.ok(saved);
    const { model, state } = checkpointFromBytes(saved);
    assert.equal(state.iteration, 10);
    const rngC = new Rng(99); // whatever it holds, the checkpoint's state replaces it
    const c = net(rngC);
    loadWeights(c, model);
    const result = trainNet(c, makeOptimizer(optimizer, 0.01), train, test10k, { ...options, rng: rngC, resume: state });
    assert.equal(JSON.stringify(c.toJSON()), JSON.stringify(a.toJSON()));
    assert.equal(result.losses.length, 30);
  });
}

test('the first non-finite loss names the iteration and the layer', () => {
  const rng = new Rng(0);
  assert.throws(
    () => trainNet(net(rng), makeOptimizer('sgd', 1e300), train, test10k, { iters: 20, batchSize: 50, rng }),
    (e: Error) =>
      e instanceof DivergenceError &&
      /^training diverged at iteration \d+: .* in (Affine|BatchNormalization|Relu|Dropout|SoftmaxWithLoss)#\d/.test(e.message),
  );
});

test('a damaged checkpoint is a clean error', () => {
  const rng = new Rng(1);
  const n = net(rng);
  let saved: Uint8Array | undefined;
  trainNet(n, makeOptimizer('adam', 0.001), train, test10k, {
    iters: 12,
    batchSize: 50,
    rng,
    checkpointEvery: 12,
    onCheckpoint: (s) => (saved = checkpointToBytes(n, s)),
  });
  assert.ok(saved);
  for (const cut of [saved.length - 1, 100, 9]) assert.throws(() => checkpointFromBytes(saved!.subarray(0, cut)), ScratchnetError);
});

test('train killed with SIGKILL mid-run and resumed ends with the weights of an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-resume-'));
  const main = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  const args = [
    'train',
    '--net',
    'multi-layer-extend',
    '--hidden',
    '40,30',
    '--batch-norm',
    '--dropout',
    '0.2',
    '--optimizer',
    'adam',
    '--iters',
    '400',
    '--batch-size',
    '50',
    '--train-size',
    '3000',
    '--test-size',
    '500',
  ];
  const full = spawnSync(process.execPath, [main, ...args, '--out', join(dir, 'full')], { encoding: 'utf8' });
  assert.equal(full.status, 0, full.stderr);

  const ck = join(dir, 'ck');
  const child = spawn(process.execPath, [main, ...args, '--out', join(dir, 'killed'), '--checkpoint-dir', ck, '--checkpoint-every', '50'], {
    stdio: 'ignore',
  });
  const checkpoint = join(ck, 'checkpoint.safetensors');
  while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.ok(!existsSync(join(dir, 'killed', 'metrics.json')), 'the run was killed before it finished');
  const at = checkpointFromBytes(readFileSync(checkpoint)).state.iteration;
  assert.ok(at < 400, `checkpoint at ${at}`);

  const resumed = spawnSync(process.execPath, [main, 'train', '--resume', ck, '--out', join(dir, 'resumed')], { encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(readFileSync(join(dir, 'resumed', 'model.json'), 'utf8'), readFileSync(join(dir, 'full', 'model.json'), 'utf8'));
  const history = (p: string) =>
    JSON.parse(readFileSync(join(dir, p, 'metrics.json'), 'utf8')).history.map((r: { loss: number; testAccuracy: number }) => [
      r.loss,
      r.testAccuracy,
    ]);
  assert.deepEqual(history('resumed'), history('full'));
});

test('train: --resume misuse, a diverging run and an occupied --out are one line each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-ckerr-'));
  const main = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  const run = (...a: string[]) => spawnSync(process.execPath, [main, ...a], { encoding: 'utf8', cwd: dir });
  let r = run('train', '--resume', dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--resume .* holds no checkpoint.safetensors/);
  r = run(
    'train',
    '--iters',
    '5',
    '--train-size',
    '500',
    '--batch-size',
    '50',
    '--test-size',
    '100',
    '--out',
    'a',
    '--checkpoint-dir',
    'ck',
    '--save',
    'a.safetensors',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'a.safetensors')));
  r = run('train', '--resume', 'ck', '--lr', '0.5');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--resume takes the run's settings from its checkpoint, expected no --lr/);
  r = run('train', '--iters', '5', '--train-size', '500', '--out', 'a');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /a already holds a run \(metrics.json\)/);
  r = run(
    'train',
    '--lr',
    '1e300',
    '--iters',
    '50',
    '--train-size',
    '500',
    '--batch-size',
    '50',
    '--test-size',
    '100',
    '--out',
    'b',
    '--checkpoint-dir',
    'ckb',
    '--checkpoint-every',
    '1',
  );
  assert.equal(r.status, 3);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /training diverged at iteration \d+: .* in \w+#\d.*; the last good checkpoint is ckb\/checkpoint.safetensors/);
  assert.ok(existsSync(join(dir, 'ckb', 'checkpoint.safetensors')));
});

/** A small run's checkpoint at `at` of `iters`, with the net that made it. */
function checkpointAt(at: number, iters = 12, hidden = 20) {
  const rng = new Rng(4);
  const n = new MultiLayerNetExtend(784, [hidden], 10, { batchNorm: true, dropout: 0.2, rng });
  let saved: TrainingState | undefined;
  const result = trainNet(n, makeOptimizer('adam', 0.001), train, test10k, {
    iters,
    batchSize: 50,
    rng,
    checkpointEvery: at,
    onCheckpoint: (s) => {
      if (s.iteration === at) saved = structuredClone(s);
    },
  });
  assert.ok(saved);
  return { net: n, state: saved, result };
}

test('a checksum covers every byte: any one bit flipped anywhere in a checkpoint is refused', () => {
  const { net: n, state } = checkpointAt(6, 12, 2); // a narrow net: a small file, read thousands of times
  const bytes = checkpointToBytes(n, state);
  assert.doesNotThrow(() => checkpointFromBytes(bytes));
  const rng = new Rng(11);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  // every bit of the header (the metadata, the names, shapes and offsets), and 2,000 bits of the values
  const positions = [
    ...Array.from({ length: 8 + headerLength }, (_, i) => i),
    ...Array.from({ length: 2000 }, () => 8 + headerLength + rng.int(bytes.length - 8 - headerLength)),
  ];
  let refused = 0;
  for (const at of positions) {
    const bit = at < 8 + headerLength ? 1 << (at % 8) : 1 << rng.int(8);
    const damaged = bytes.slice();
    damaged[at] ^= bit;
    assert.throws(() => checkpointFromBytes(damaged), ScratchnetError, `the bit ${bit} of byte ${at}`);
    refused++;
  }
  assert.equal(refused, positions.length);
});

test('a checkpoint whose state is not a run’s is refused, though its checksum is right: NaN losses, batch orders that are not permutations', () => {
  const { net: n, state } = checkpointAt(6);
  const loss = structuredClone(state);
  loss.losses[2] = Number.NaN;
  assert.throws(() => checkpointFromBytes(checkpointToBytes(n, loss)), /the loss of update 3 is NaN, expected a finite number/);
  const fraction = structuredClone(state);
  fraction.batches.order = Float64Array.from(state.batches.order, (k, i) => (i === 0 ? k + 0.5 : k)) as unknown as Int32Array;
  assert.throws(() => checkpointFromBytes(checkpointToBytes(n, fraction)), /the batch order holds a number that is not a whole index/);
  const twice = structuredClone(state);
  twice.batches.order[1] = twice.batches.order[0];
  const back = checkpointFromBytes(checkpointToBytes(n, twice));
  const rng = new Rng(0);
  assert.throws(
    () => trainNet(net(rng), makeOptimizer('adam', 0.001), train, test10k, { iters: 12, batchSize: 50, rng, resume: back.state }),
    /the order holds the index \d+ twice, expected each example once/,
  );
  const record = structuredClone(checkpointAt(12).state); // at the end of the first epoch: one record
  (record.history[0] as { loss: unknown }).loss = 'low';
  assert.throws(() => checkpointFromBytes(checkpointToBytes(n, record)), /history\[0\] is not an epoch's record/);
});

test("the checkpoint of a run's last iteration resumes to that run's end, and one past it is refused", () => {
  const { net: n, state, result } = checkpointAt(12);
  const back = checkpointFromBytes(checkpointToBytes(n, state));
  const rng = new Rng(0);
  const c = net(rng);
  loadWeights(c, back.model);
  const resumed = trainNet(c, makeOptimizer('adam', 0.001), train, test10k, { iters: 12, batchSize: 50, rng, resume: back.state });
  assert.deepEqual(resumed.history, result.history);
  assert.deepEqual([...resumed.losses], [...result.losses]);
  assert.equal(JSON.stringify(c.toJSON()), JSON.stringify(n.toJSON()));
  assert.throws(
    () => trainNet(c, makeOptimizer('adam', 0.001), train, test10k, { iters: 10, batchSize: 50, rng, resume: back.state }),
    /the checkpoint is at iteration 12, expected at most the run's 10/,
  );
});
