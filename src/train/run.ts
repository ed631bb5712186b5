import { MNIST_CLASSES, type MnistSet, subset } from '../data/mnist.js';
import { ScratchnetError } from '../errors.js';
import { makeNet } from '../nets/by-name.js';
import type { ModelJSON, Sequential } from '../nets/sequential.js';
import { makeOptimizer } from '../optim/optimizers.js';
import type { Optimizer } from '../optim/sgd.js';
import { Rng } from '../tensor/rng.js';
import type { DType } from '../tensor/tensor.js';
import { loadWeights } from './checkpoint.js';
import type { RunConfig } from './run-config.js';
import { type EpochRecord, Trainer, type TrainingState } from './trainer.js';

export interface TrainOptions {
  /** Mini-batch updates to run. */
  iters: number;
  batchSize: number;
  /** Shuffles the training set each epoch. */
  rng: Rng;
  /** The float type of the batches (default: the network's, `net.dtype`). */
  dtype?: DType;
  /**
   * Measure train accuracy on the first this-many training images only (default: all of them):
   * for a convolutional net a pass over all 60,000 every epoch costs as much as a third of an epoch.
   */
  trainEvalCount?: number;
  /** Called after every update with the batch loss. */
  onIteration?: (iteration: number, loss: number) => void;
  /** Called after every epoch (and after a last partial one) with its record. */
  onEpoch?: (record: EpochRecord) => void;
  /** Continue a run from the state a checkpoint saved (the net must hold the checkpoint's weights). */
  resume?: TrainingState;
  /** Call `onCheckpoint` every this-many iterations (and at the end) with the whole training state. */
  checkpointEvery?: number;
  onCheckpoint?: (state: TrainingState) => void;
}

export interface TrainResult {
  history: EpochRecord[];
  /** The batch loss of every update. */
  losses: Float64Array;
  trainAccuracy: number;
  testAccuracy: number;
  /** How many training images the train accuracy was measured on. */
  trainAccuracyCount: number;
}

/**
 * A whole training run as the book's train_neuralnet: `iters` updates by a {@link Trainer}, and
 * after each epoch (⌊count / batchSize⌋ updates) and at the end the accuracy on the training set
 * (or its first `trainEvalCount` images) and on the test set.
 *
 * @example
 * const net = new TwoLayerNet(784, 50, 10);
 * const result = trainNet(net, new SGD(0.1), train, test, { iters: 600, batchSize: 100, rng: new Rng(0) });
 * result.testAccuracy; // ≈ 0.90
 */
export function trainNet(net: Sequential, optimizer: Optimizer, train: MnistSet, test: MnistSet, options: TrainOptions): TrainResult {
  const { iters, rng, dtype = net.dtype, resume, checkpointEvery, onCheckpoint } = options;
  if (!Number.isInteger(iters) || iters < 1) throw new ScratchnetError(`iterations is ${iters}, expected a whole number ≥ 1`);
  const trainer = new Trainer(net, optimizer, train, { batchSize: options.batchSize, rng, dtype });
  const trainEval = options.trainEvalCount === undefined ? train : subset(train, options.trainEvalCount);
  if (resume) {
    if (resume.iteration > iters)
      throw new ScratchnetError(`the checkpoint is at iteration ${resume.iteration}, expected at most the run's ${iters}`);
    // a checkpoint of the last iteration (a run killed after it) gives the run's end as it is
    if (resume.iteration === iters && resume.history[resume.history.length - 1]?.iteration !== iters)
      throw new ScratchnetError(`the checkpoint is at the run's last iteration ${iters} but holds no record of its end, expected one`);
    trainer.restore(resume);
  }
  while (trainer.iteration < iters) {
    const loss = trainer.step();
    const i = trainer.iteration;
    options.onIteration?.(i, loss);
    if (trainer.atEpochEnd || i === iters) {
      const record = trainer.endEpoch(trainEval, test);
      options.onEpoch?.(record);
    }
    if (onCheckpoint && checkpointEvery && (i % checkpointEvery === 0 || i === iters)) onCheckpoint(trainer.state());
  }
  const last = trainer.history[trainer.history.length - 1];
  return {
    history: trainer.history,
    losses: trainer.losses.slice(),
    trainAccuracy: last.trainAccuracy,
    testAccuracy: last.testAccuracy,
    trainAccuracyCount: trainEval.count,
  };
}

/** What a configured run may continue from, and what it reports to. */
export interface RunHooks extends Pick<TrainOptions, 'onIteration' | 'onEpoch' | 'checkpointEvery'> {
  /** A checkpoint of this run to continue from: its weights and its training state. */
  resume?: { model: ModelJSON; state: TrainingState };
  /** Called every `checkpointEvery` iterations and at the end with the whole training state and the net. */
  onCheckpoint?: (state: TrainingState, net: Sequential) => void;
}

/**
 * Runs a configured training on MNIST's sets: builds the net (its weights drawn from the seed's
 * Rng, which then shuffles the batches), the optimizer, the subsets, and trains.
 *
 * @example
 * const { net, result } = runTraining(config, loadMnist());
 */
export function runTraining(config: RunConfig, mnist: { train: MnistSet; test: MnistSet }, hooks: RunHooks = {}) {
  const train = subset(mnist.train, config.trainSize);
  const test = subset(mnist.test, config.testSize);
  const rng = new Rng(config.seed);
  const net = makeNet(config.net, { inputShape: [1, train.rows, train.cols], classes: MNIST_CLASSES, rng, dtype: config.dtype });
  const { resume, onCheckpoint } = hooks;
  if (resume) loadWeights(net, resume.model);
  const result = trainNet(net, makeOptimizer(config.optimizer, config.lr), train, test, {
    onIteration: hooks.onIteration,
    onEpoch: hooks.onEpoch,
    checkpointEvery: hooks.checkpointEvery,
    onCheckpoint: onCheckpoint && ((state) => onCheckpoint(state, net)),
    resume: resume?.state,
    iters: config.iters,
    batchSize: config.batchSize,
    rng,
    dtype: config.dtype,
    trainEvalCount: Math.min(config.trainEval, train.count),
  });
  return { net, result, train, test };
}
