import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subset } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/io/node/mnist-files.js';
import { chartGrid } from '../../src/train/chart-grid.js';
import { compareBatchNorm, compareOptimizers, logspace } from '../../src/train/experiments.js';
import { lineChart } from '../../src/train/plot.js';

const train = subset(loadMnist().train, 200);

test('compareOptimizers trains one net per optimizer on the same batches; the adaptive ones beat SGD early', () => {
  const progress: number[] = [];
  const runs = compareOptimizers(train, { iters: 30, batchSize: 20, every: 10, onProgress: (i) => progress.push(i) });
  assert.deepEqual(
    runs.map((r) => [r.optimizer, r.lr]),
    [
      ['sgd', 0.01],
      ['momentum', 0.01],
      ['nesterov', 0.01],
      ['adagrad', 0.01],
      ['rmsprop', 0.001],
      ['adam', 0.001],
    ],
  );
  assert.deepEqual(progress, [10, 20, 30]);
  // Same initial weights and the same first batch: every first loss is the same.
  for (const r of runs) assert.equal(r.losses[0], runs[0].losses[0]);
  const loss = Object.fromEntries(runs.map((r) => [r.optimizer, r.finalLoss]));
  for (const name of ['momentum', 'adagrad', 'adam']) assert.ok(loss[name] < loss.sgd, `${name} ${loss[name]} vs SGD ${loss.sgd}`);
});

test('compareBatchNorm records training accuracy per epoch with and without batch norm', () => {
  const runs = compareBatchNorm(train, { scales: [0.01], epochs: 2, batchSize: 50 });
  assert.equal(runs.length, 1);
  assert.equal(runs[0].withBatchNorm.length, 2);
  assert.equal(runs[0].without.length, 2);
  for (const v of [...runs[0].withBatchNorm, ...runs[0].without]) assert.ok(v >= 0 && v <= 1);
});

test('logspace matches NumPy; chartGrid lays charts out in a grid', () => {
  const values = logspace(0, -4, 5);
  for (const [i, v] of [1, 0.1, 0.01, 0.001, 0.0001].entries()) assert.ok(Math.abs(values[i] - v) < 1e-14, `${values[i]}`);
  const chart = lineChart([{ label: 'a', color: 'red', points: [[0, 1]] }], {
    title: 't',
    xLabel: 'x',
    yLabel: 'y',
    width: 100,
    height: 50,
  });
  const grid = chartGrid([chart, chart, chart], 2, 100, 50);
  assert.match(grid, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="200" height="100"/);
  assert.equal((grid.match(/<g transform/g) ?? []).length, 3);
  assert.ok(grid.includes('translate(0 50)'));
});
