import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { subset } from '../../data/mnist.js';
import { claimFolder } from '../../io/node/folders.js';
import { loadMnist } from '../../io/node/mnist-files.js';
import { chartGrid } from '../../train/chart-grid.js';
import { compareBatchNorm, logspace } from '../../train/experiments.js';
import { lineChart } from '../../train/plot.js';
import { intFlag, parseFlags, positionals, positiveFlag, stringFlag, UsageError } from '../args.js';

export const compareBatchNormHelp = `Usage: scratchnet compare-batch-norm [--scales 8] [--epochs 20] [--train-size 1000] [--seed 0] [--out DIR]

The book's ch06 batch_norm_test: MultiLayerNetExtend 784-100-100-100-100-100-10 (Relu) with and
without BatchNormalization, trained side by side on the first 1000 MNIST training images (SGD lr
0.01, batch 100) from initial weights of standard deviation w, for several w from 1 down to
0.0001 (logspace(0, −4, N); the book draws 16). Prints the training accuracy of both per epoch
summary and writes OUT/batch-norm.svg (one chart per w, as the book's grid) and OUT/batch-norm.json.

  --scales N       how many weight scales from logspace(0, −4, N) (default 8; 16 is the book's grid)
  --epochs N       epochs of 10 updates (default 20, the book's)
  --train-size N   training images (default 1000, the book's)
  --lr X           SGD learning rate (default 0.01, the book's)
  --seed N         seeds the weights and the batches (default 0)
  --out DIR        where to write (default runs/batch-norm-<timestamp>)`;

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function compareBatchNormCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('compare-batch-norm', argv, {
    scales: { type: 'string' },
    epochs: { type: 'string' },
    'train-size': { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
  });
  if (values.help) return void console.log(compareBatchNormHelp);
  positionals('compare-batch-norm', rest, []);
  const count = intFlag('scales', values.scales, 8, 1, 64);
  const epochs = intFlag('epochs', values.epochs, 20, 1, 1000);
  const trainSize = intFlag('train-size', values['train-size'], 1000, 1, 60000);
  const lr = positiveFlag('lr', values.lr, 0.01);
  const seed = intFlag('seed', values.seed, 0, 0);
  const out = stringFlag('out', values.out) ?? join('runs', `batch-norm-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
  if (existsSync(out) && !values.out) throw new UsageError(`compare-batch-norm: ${out} exists already, expected a new folder (give --out)`);

  const claim = claimFolder(out, '--out');
  try {
    const train = subset(loadMnist().train, trainSize);
    const scales = logspace(0, -4, count);
    console.log(
      `Batch normalisation on MultiLayerNetExtend 784-100×5-10 (relu): ${train.count} training images, ${epochs} epochs, ` +
        `SGD lr ${lr}, batch 100, ${count} weight scales from 1 to 0.0001, seed ${seed}`,
    );
    console.log('  init std   final train accuracy (with / without batch norm)   mean over the epochs (with / without)');
    const start = Date.now();
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    const runs = compareBatchNorm(train, {
      scales,
      epochs,
      lr,
      seed,
      onScale: (r) => {
        const last = (a: number[]): number => a[a.length - 1];
        console.log(
          `  ${r.scale.toPrecision(3).padStart(8)}   ${percent(last(r.withBatchNorm)).padStart(6)} / ${percent(last(r.without)).padStart(6)}` +
            `${' '.repeat(37)}${percent(mean(r.withBatchNorm)).padStart(6)} / ${percent(mean(r.without)).padStart(6)}   (${((Date.now() - start) / 1000).toFixed(1)} s)`,
        );
      },
    });
    const faster = runs.filter((r) => mean(r.withBatchNorm) > mean(r.without)).length;
    console.log(`batch norm learned faster (higher mean training accuracy over the epochs) at ${faster} of ${runs.length} scales`);
    const charts = runs.map((r, i) =>
      lineChart(
        [
          { label: 'batch norm', color: '#d62728', points: r.withBatchNorm.map((v, e) => [e + 1, v]) },
          { label: 'without', color: '#1f77b4', points: r.without.map((v, e) => [e + 1, v]) },
        ],
        {
          title: `${i + 1}: w = ${Number(r.scale.toPrecision(3))}`,
          xLabel: 'epoch',
          yLabel: 'train accuracy',
          yMin: 0,
          yMax: 1,
          width: 300,
          height: 220,
          legend: 'bottom',
        },
      ),
    );
    const svg = chartGrid(charts, Math.min(4, charts.length), 300, 220);
    const json = {
      settings: {
        net: 'MultiLayerNetExtend 784-100-100-100-100-100-10',
        activation: 'relu',
        trainSize: train.count,
        epochs,
        batchSize: 100,
        lr,
        seed,
      },
      seconds: (Date.now() - start) / 1000,
      results: runs,
    };
    claim.write(['batch-norm.svg', svg], ['batch-norm.json', `${JSON.stringify(json)}\n`]);
    console.log(`wrote ${join(out, 'batch-norm.svg')}, ${join(out, 'batch-norm.json')}`);
  } catch (error) {
    // a comparison that did not finish leaves its folder as it found it
    claim.release();
    throw error;
  }
}
