import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { claimFolder } from '../../io/node/folders.js';
import { loadMnist } from '../../io/node/mnist-files.js';
import { compareOptimizers } from '../../train/experiments.js';
import { lineChart, smooth } from '../../train/plot.js';
import { intFlag, parseFlags, positionals, stringFlag, UsageError } from '../args.js';

export const compareOptimizersHelp = `Usage: scratchnet compare-optimizers [--iters 2000] [--batch-size 128] [--seed 0] [--out DIR]

The book's ch06 optimizer_compare_mnist: a MultiLayerNet 784-100-100-100-100-10 (Relu, He init)
trained on MNIST once per optimizer — SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam — on the
same mini-batches from the same initial weights, with the book's learning rates: SGD, Momentum,
AdaGrad 0.01, Adam 0.001; Nesterov as Momentum 0.01, RMSprop as Adam 0.001 (at its class default
0.01 the loss jumps to ≈ 5 early on). Prints the losses every 100 iterations and, at the end, each optimizer's mean loss over
the last 100 iterations; writes OUT/optimizers.svg (the loss curves) and OUT/optimizers.json.

  --iters N        updates per optimizer (default 2000, the book's)
  --batch-size N   examples per update (default 128, the book's)
  --seed N         seeds the weights and the batches (default 0)
  --out DIR        where to write (default runs/optimizers-<timestamp>)`;

const colors = ['#1f77b4', '#ff7f0e', '#9467bd', '#2ca02c', '#8c564b', '#d62728'];
const labels: Record<string, string> = {
  sgd: 'SGD',
  momentum: 'Momentum',
  nesterov: 'Nesterov',
  adagrad: 'AdaGrad',
  rmsprop: 'RMSprop',
  adam: 'Adam',
};

export function compareOptimizersCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('compare-optimizers', argv, {
    iters: { type: 'string' },
    'batch-size': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
  });
  if (values.help) return void console.log(compareOptimizersHelp);
  positionals('compare-optimizers', rest, []);
  const iters = intFlag('iters', values.iters, 2000);
  const batchSize = intFlag('batch-size', values['batch-size'], 128, 1, 60000);
  const seed = intFlag('seed', values.seed, 0, 0);
  const out = stringFlag('out', values.out) ?? join('runs', `optimizers-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
  if (existsSync(out) && !values.out) throw new UsageError(`compare-optimizers: ${out} exists already, expected a new folder (give --out)`);

  const claim = claimFolder(out, '--out');
  try {
    const { train } = loadMnist();
    console.log(
      `Comparing optimizers on MultiLayerNet 784-100-100-100-100-10 (relu, init he): ${iters} iterations of batch ${batchSize}, seed ${seed}`,
    );
    const start = Date.now();
    const runs = compareOptimizers(train, {
      iters,
      batchSize,
      seed,
      onProgress: (i, losses) => {
        const parts = Object.entries(losses).map(([name, loss]) => `${labels[name]} ${loss.toFixed(4)}`);
        console.log(`iter ${String(i).padStart(5)}  ${parts.join('  ')}  (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      },
    });
    console.log(`mean loss over the last ${Math.min(100, iters)} iterations:`);
    for (const r of runs) console.log(`  ${labels[r.optimizer].padEnd(9)} lr ${String(r.lr).padEnd(6)} ${r.finalLoss.toFixed(4)}`);
    const window = Math.max(1, Math.round(iters / 200));
    const svg = lineChart(
      runs.map((r, i) => ({
        label: `${labels[r.optimizer]} (lr ${r.lr})`,
        color: colors[i % colors.length],
        points: smooth(r.losses, window),
      })),
      {
        title: `Optimizers on MNIST, MultiLayerNet 784-100×4-10 (batch loss, mean of ${window})`,
        xLabel: 'iteration',
        yLabel: 'loss',
        yMin: 0,
        yMax: 1,
        width: 720,
        height: 420,
      },
    );
    const json = {
      settings: { net: 'MultiLayerNet 784-100-100-100-100-10', activation: 'relu', init: 'he', iters, batchSize, seed },
      seconds: (Date.now() - start) / 1000,
      results: runs.map((r) => ({ optimizer: r.optimizer, lr: r.lr, meanLossLast100: r.finalLoss, losses: Array.from(r.losses) })),
    };
    claim.write(['optimizers.svg', svg], ['optimizers.json', `${JSON.stringify(json)}\n`]);
    console.log(`wrote ${join(out, 'optimizers.svg')}, ${join(out, 'optimizers.json')}`);
  } catch (error) {
    // a comparison that did not finish leaves its folder as it found it
    claim.release();
    throw error;
  }
}
