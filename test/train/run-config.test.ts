import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultThreads, THREADS_PAY_FROM } from '../../src/backend/node/wasm.js';
import { InputError } from '../../src/errors.js';
import { loadMnist } from '../../src/io/node/mnist-files.js';
import { multiplyAddsPerExample } from '../../src/nets/by-name.js';
import { checkpointFromBytes, checkpointToBytes } from '../../src/train/checkpoint.js';
import { runTraining } from '../../src/train/run.js';
import { type RunConfig, runConfigFromJSON, runMultiplyAdds, updatesPerEpoch } from '../../src/train/run-config.js';
import { CLI } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';

const config: RunConfig = {
  net: { net: 'multi-layer-extend', hidden: [12, 8], activation: 'tanh', init: 'he', weightDecay: 0.001, dropout: 0.1, batchNorm: true },
  optimizer: 'adam',
  lr: 0.002,
  iters: 14,
  batchSize: 40,
  seed: 5,
  dtype: 'float64',
  backend: 'wasm',
  trainSize: 400,
  testSize: 60,
  trainEval: 100,
};

test('a run configuration goes into a checkpoint and comes back whole, and the run it describes trains', () => {
  let saved: Uint8Array | undefined;
  const { net, result, train } = runTraining(config, loadMnist(), {
    checkpointEvery: 10,
    onCheckpoint: (state, n) => {
      if (state.iteration === 10) saved = checkpointToBytes(n, state, config);
    },
  });
  assert.equal(train.count, 400);
  assert.equal(updatesPerEpoch(config), 10);
  assert.deepEqual(
    result.history.map((r) => r.iteration),
    [10, 14],
  );
  assert.equal(result.trainAccuracyCount, 100);
  assert.deepEqual(Object.keys(net.params), ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']);
  assert.ok(saved);
  const back = checkpointFromBytes(saved);
  assert.deepEqual(back.config, config);
  assert.equal(back.flags, undefined);
  // resumed from the checkpoint, the run ends where the uninterrupted one did
  const resumed = runTraining(config, loadMnist(), { resume: back });
  assert.equal(JSON.stringify(resumed.net.toJSON()), JSON.stringify(net.toJSON()));
});

test('a run configuration with a field that is wrong is one line naming it', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...config, optimizer: 'adamw' }, /^config.optimizer is "adamw", expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam$/],
    [{ ...config, iters: 0 }, /^config.iters is 0, expected a whole number ≥ 1 and ≤ 10000000$/],
    [{ ...config, net: { ...config.net, hidden: [12, 'x'] } }, /^config.net.hidden\[1\] is "x", expected a whole number ≥ 1 and ≤ 100000$/],
    // as strict as the flags: no field it does not know, bounds, and fields that go together
    [{ ...config, out: '/tmp/victim' }, /^config has the field "out", which it does not hold; expected only net, optimizer, lr, /],
    [{ ...config, net: { ...config.net, layers: 3 } }, /^config.net has the field "layers", which it does not hold/],
    [{ ...config, iters: 1e8 }, /^config.iters is 100000000, expected a whole number ≥ 1 and ≤ 10000000$/],
    [{ ...config, seed: 2 ** 32 }, /^config.seed is 4294967296, expected a whole number ≥ 0 and ≤ 4294967295$/],
    [{ ...config, trainSize: 60001 }, /^config.trainSize is 60001, expected a whole number ≥ 1 and ≤ 60000$/],
    [{ ...config, batchSize: 401 }, /^config.batchSize is 401, expected a whole number ≥ 1 and ≤ 400$/],
    [{ ...config, testSize: 10001 }, /^config.testSize is 10001/],
    [{ ...config, lr: -1 }, /^config.lr is -1/],
    [{ ...config, net: { ...config.net, dropout: 1 } }, /^config.net.dropout is 1/],
    [{ ...config, net: { ...config.net, net: 'two-layer' } }, /^config.net.hidden has 2 sizes, but two-layer has one hidden layer$/],
    [
      { ...config, net: { ...config.net, net: 'multi-layer' } },
      /^config.net has dropout, which only multi-layer-extend and deep-conv take$/,
    ],
    [
      { ...config, net: { ...config.net, net: 'deep-conv', hidden: [50], activation: 'relu' } },
      /^config.net has batchNorm, which only multi-layer-extend takes$/,
    ],
    [
      { ...config, net: { ...config.net, net: 'deep-conv', hidden: [50] } },
      /^config.net.activation is tanh, but deep-conv uses relu \(as the book\)$/,
    ],
    [
      { ...config, net: { ...config.net, hidden: [100000, 100000] } },
      /^config.net makes a network of \d+ parameters, more than the 16777216 \(2\^24\) a run may train$/,
    ],
    [
      { ...config, net: { ...config.net, init: 'zero' } },
      /^config.net.init is "zero", expected he, xavier or a positive standard deviation$/,
    ],
    [Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'net')), /^config has no "net"$/],
    [{ ...config, net: 'two-layer' }, /^config.net is "two-layer", expected an object$/],
    [[], /^config is an array of 0, expected an object$/],
  ];
  for (const [value, message] of cases)
    assert.throws(
      () => runConfigFromJSON(value),
      (e: Error) => e instanceof InputError && message.test(e.message),
      String(message),
    );
});

test('a checkpoint of scratchnet 0.1 (its flags, not a configuration) resumes to the model that version trained', () => {
  // made by test/fixtures/make_checkpoint_v1.mjs with the commit that wrote that format
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-v1-'));
  const fixture = join(repoRoot, 'test', 'fixtures', 'checkpoint-v1');
  cpSync(join(fixture, 'checkpoint.safetensors'), join(dir, 'ck', 'checkpoint.safetensors'), { recursive: true });
  const read = checkpointFromBytes(readFileSync(join(dir, 'ck', 'checkpoint.safetensors')));
  assert.equal(read.config, undefined);
  assert.deepEqual(read.flags, { hidden: '3', 'train-size': '200', 'test-size': '50', iters: '6', optimizer: 'adam', seed: '1' });
  assert.equal(read.state.iteration, 3);
  const r = spawnSync(process.execPath, [CLI, 'train', '--resume', join(dir, 'ck'), '--out', join(dir, 'resumed')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'resumed', 'model.json'), 'utf8'), readFileSync(join(fixture, 'model.json'), 'utf8'));
});

test('the work of a run decides its default threads: npm start gets the cores, one epoch of the ch05 net one thread', () => {
  const twoLayer: RunConfig['net'] = { net: 'two-layer', hidden: [50], activation: 'relu', init: 0.01, weightDecay: 0 };
  // by hand: 784·50 + 50·10; SimpleConvNet: 30 filters 5×5 over 24×24 places, then 4320·100 + 100·10
  assert.equal(multiplyAddsPerExample(twoLayer, [1, 28, 28], 10), 39700);
  assert.equal(
    multiplyAddsPerExample({ ...twoLayer, net: 'simple-conv', hidden: [100] }, [1, 28, 28], 10),
    30 * 576 * 25 + 4320 * 100 + 1000,
  );
  assert.equal(multiplyAddsPerExample({ ...twoLayer, net: 'multi-layer', hidden: [100, 100] }, [1, 28, 28], 10), 78400 + 10000 + 1000);
  const main: RunConfig = {
    net: twoLayer,
    optimizer: 'sgd',
    lr: 0.1,
    iters: 10000,
    batchSize: 100,
    seed: 0,
    dtype: 'float32',
    backend: 'wasm',
    trainSize: 60000,
    testSize: 10000,
    trainEval: 60000,
  };
  // 10,000 batches of 100 and 17 evaluations of the 70,000 images
  assert.equal(runMultiplyAdds(main), 39700 * (10000 * 100 + 17 * 70000));
  assert.ok(runMultiplyAdds(main) >= THREADS_PAY_FROM);
  assert.equal(defaultThreads(runMultiplyAdds(main)), availableParallelism());
  assert.equal(defaultThreads(runMultiplyAdds({ ...main, iters: 600 })), 1);
  assert.equal(defaultThreads(), availableParallelism());
});
