import { MNIST_CLASSES, type MnistSet } from '../data/mnist.js';
import { ScratchnetError } from '../errors.js';
import { MultiLayerNet, MultiLayerNetExtend } from '../nets/multi-layer-net.js';
import { makeOptimizer, type OptimizerName, optimizerNames } from '../optim/optimizers.js';
import { Rng } from '../tensor/rng.js';
import { DivergenceError, Trainer } from './trainer.js';

/**
 * The learning rates of the comparison: the book's for SGD, Momentum, AdaGrad (0.01) and Adam
 * (0.001); Nesterov takes Momentum's 0.01. RMSprop takes Adam's 0.001 rather than its class
 * default 0.01: like Adam it steps about lr per weight whatever the gradient's size, and at 0.01
 * this deep net's loss jumps to ≈ 5 in the first hundred updates.
 */
export const comparisonLearningRates: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.01,
  momentum: 0.01,
  nesterov: 0.01,
  adagrad: 0.01,
  rmsprop: 0.001,
  adam: 0.001,
};

export interface CompareOptimizersOptions {
  /** Updates per optimizer (the book's 2000). */
  iters?: number;
  /** Examples per update (the book's 128). */
  batchSize?: number;
  /** Seeds every network's weights and every optimizer's batch order alike (default 0). */
  seed?: number;
  optimizers?: readonly OptimizerName[];
  /** Called every `every` iterations with each optimizer's latest loss. */
  onProgress?: (iteration: number, losses: Record<string, number>) => void;
  every?: number;
}

export interface OptimizerRun {
  optimizer: OptimizerName;
  lr: number;
  /** The batch loss of every update. */
  losses: Float64Array;
  /** Mean batch loss over the last 100 updates (or all of them, when fewer). */
  finalLoss: number;
}

/**
 * The book's ch06 optimizer_compare_mnist: one MultiLayerNet 784-100-100-100-100-10 (Relu, He
 * init) per optimizer, each trained on the same mini-batches from the same initial weights with
 * the rates of {@link comparisonLearningRates}.
 *
 * @example
 * const runs = compareOptimizers(mnist.train, { iters: 2000 });
 * runs.map((r) => [r.optimizer, r.finalLoss]); // SGD highest
 */
export function compareOptimizers(train: MnistSet, options: CompareOptimizersOptions = {}): OptimizerRun[] {
  const { iters = 2000, batchSize = 128, seed = 0, optimizers = optimizerNames, every = 100 } = options;
  if (!Number.isInteger(iters) || iters < 1) throw new ScratchnetError(`iterations is ${iters}, expected a whole number ≥ 1`);
  // one trainer an optimizer, each net drawn from the same seed and then shuffled by it alike
  const runs = optimizers.map((name) => {
    const rng = new Rng(seed);
    const net = new MultiLayerNet(train.rows * train.cols, [100, 100, 100, 100], MNIST_CLASSES, { weightInit: 'he', rng });
    return { name, trainer: new Trainer(net, makeOptimizer(name, comparisonLearningRates[name]), train, { batchSize, rng }) };
  });
  for (let i = 1; i <= iters; i++) {
    for (const { name, trainer } of runs) {
      try {
        trainer.step();
      } catch (error) {
        if (error instanceof DivergenceError) throw new ScratchnetError(`${name}: ${error.message}`);
        throw error;
      }
    }
    if (i % every === 0 || i === iters) options.onProgress?.(i, Object.fromEntries(runs.map((r) => [r.name, r.trainer.losses[i - 1]])));
  }
  return runs.map(({ name, trainer }) => {
    const losses = trainer.losses.slice();
    const tail = losses.subarray(Math.max(0, iters - 100));
    return { optimizer: name, lr: comparisonLearningRates[name], losses, finalLoss: tail.reduce((s, v) => s + v, 0) / tail.length };
  });
}

export interface CompareBatchNormOptions {
  /** Initial weight standard deviations to try (default: 8 values of logspace(0, −4)). */
  scales?: readonly number[];
  /** Epochs of ⌊count / batchSize⌋ updates (the book's 20). */
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Called after each scale with its result. */
  onScale?: (result: BatchNormRun, index: number) => void;
}

export interface BatchNormRun {
  scale: number;
  /** Training accuracy after each epoch, with and without batch normalisation. */
  withBatchNorm: number[];
  without: number[];
}

/** n values from 10^from to 10^to evenly spaced in the exponent, as NumPy's logspace. */
export function logspace(from: number, to: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => 10 ** (n === 1 ? from : from + ((to - from) * i) / (n - 1)));
}

/**
 * The book's ch06 batch_norm_test: for each initial weight scale, a MultiLayerNetExtend
 * 784-100-100-100-100-100-10 with and without BatchNormalization, trained side by side on the
 * same mini-batches of `train` (the book takes its first 1000 images) with SGD lr 0.01, batch
 * 100; training accuracy (on all of `train`) after each epoch.
 *
 * @example
 * const runs = compareBatchNorm(subset(mnist.train, 1000), { scales: [1, 0.1, 0.01] });
 */
export function compareBatchNorm(train: MnistSet, options: CompareBatchNormOptions = {}): BatchNormRun[] {
  const { scales = logspace(0, -4, 8), epochs = 20, batchSize = 100, lr = 0.01, seed = 0 } = options;
  return scales.map((scale, index) => {
    // the same weights for both but for batch norm's γ and β, and the same batches (each trainer's
    // Rng seeded alike); a net that diverges trains on: its failing to learn is the result
    const trainer = (batchNorm: boolean): Trainer => {
      const net = new MultiLayerNetExtend(train.rows * train.cols, [100, 100, 100, 100, 100], MNIST_CLASSES, {
        weightInit: scale,
        batchNorm,
        rng: new Rng(seed),
      });
      return new Trainer(net, makeOptimizer('sgd', lr), train, { batchSize, rng: new Rng(seed + 1), stopOnDivergence: false });
    };
    const trainers = [trainer(true), trainer(false)];
    const accuracy: [number[], number[]] = [[], []];
    for (let epoch = 0; epoch < epochs; epoch++) {
      trainers.forEach((tr, k) => {
        for (let i = 0; i < tr.perEpoch; i++) tr.step();
        accuracy[k].push(tr.evaluate(train));
      });
    }
    const result = { scale, withBatchNorm: accuracy[0], without: accuracy[1] };
    options.onScale?.(result, index);
    return result;
  });
}
