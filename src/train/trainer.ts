import { MiniBatches } from '../data/mini-batches.js';
import { fillBatch, MNIST_CLASSES, type MnistSet } from '../data/mnist.js';
import { ScratchnetError } from '../errors.js';
import type { ParamDict, Sequential } from '../nets/sequential.js';
import type { Optimizer } from '../optim/sgd.js';
import type { OptimizerState } from '../optim/state.js';
import { allFinite } from '../tensor/ops.js';
import type { Rng } from '../tensor/rng.js';
import { type DType, Tensor } from '../tensor/tensor.js';
import { Classifier, imageShape } from './evaluate.js';

/** One row of the training history: what an epoch ended with. */
export interface EpochRecord {
  epoch: number;
  /** Updates done so far. */
  iteration: number;
  /** Mean batch loss over this epoch's updates. */
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Seconds of training so far: updates and evaluations, not the time between them. */
  seconds: number;
}

/**
 * Everything a run needs to continue exactly where it stopped, besides the network's own weights
 * (and batch-norm statistics): with it a resumed run ends bit for bit where an uninterrupted one does.
 */
export interface TrainingState {
  /** Updates done. */
  iteration: number;
  /** The state of the run's Rng (shuffling, dropout masks). */
  rng: number[];
  batches: { order: Int32Array; position: number };
  optimizer?: OptimizerState;
  /** The batch loss of each update done. */
  losses: Float64Array;
  history: EpochRecord[];
  /** The running sums of the epoch under way. */
  epochLoss: number;
  epochIters: number;
  /** Seconds of training so far. */
  seconds: number;
}

/**
 * How far a batch loss may rise before a run counts as diverging: this many times the larger of
 * ln C (the loss of a network that knows nothing of C classes) and the run's first loss. A run that
 * learns never comes near it; one whose weights explode passes it long before they overflow.
 */
export const DIVERGENCE_FACTOR = 1000;

/** Training stopped on a loss or gradient that is not a finite number, or a loss that exploded. */
export class DivergenceError extends ScratchnetError {
  override name = 'DivergenceError';
  constructor(
    readonly iteration: number,
    readonly layer: string,
    what: string,
    expected = 'finite numbers',
  ) {
    super(`training diverged at iteration ${iteration}: ${what} in ${layer}, expected ${expected} (try a smaller learning rate)`);
  }
}

export interface TrainerOptions {
  /** Examples per update (at most the set's count). */
  batchSize: number;
  /** Shuffles the training set each epoch (and draws the Dropout masks, when the net was built with it). */
  rng: Rng;
  /** The float type of the batches (default: the network's, `net.dtype`). */
  dtype?: DType;
  /**
   * Stop with a DivergenceError on the first loss or gradient that is not finite (default true).
   * An experiment that shows a network failing to learn (batch norm's) trains on through it.
   */
  stopOnDivergence?: boolean;
}

/**
 * Mini-batch training as the book's train_neuralnet, one step at a time: `step` takes the next
 * batch of the shuffled training set, computes the gradient by backprop (train = true: Dropout
 * masks, batch statistics) and lets the optimizer update the weights; `endEpoch` measures the
 * accuracy (inference) and adds the epoch to the history; `state`/`restore` save and continue the
 * whole run. The command line, the ch06 experiments and the page's training worker all drive one.
 * A net that takes images (an `inputShape`, or a first Convolution) gets each N×784 batch viewed
 * as N×1×28×28.
 *
 * @example
 * const trainer = new Trainer(net, new SGD(0.1), train, { batchSize: 100, rng: new Rng(0) });
 * while (!trainer.atEpochEnd || trainer.iteration === 0) trainer.step();
 * trainer.endEpoch(train, test).testAccuracy; // ≈ 0.90 after one epoch of TwoLayerNet
 */
export class Trainer {
  readonly batches: MiniBatches;
  readonly history: EpochRecord[] = [];
  /** Updates done. */
  iteration = 0;
  private lossList = new Float64Array(1024);
  private epochLoss = 0;
  private epochIters = 0;
  private busy = 0;
  private readonly x: Tensor;
  private readonly t: Tensor;
  private readonly input: Tensor;
  private readonly classifier: Classifier;
  private readonly rng: Rng;
  private readonly stopOnDivergence: boolean;

  constructor(
    readonly net: Sequential,
    readonly optimizer: Optimizer,
    readonly train: MnistSet,
    { batchSize, rng, dtype = net.dtype, stopOnDivergence = true }: TrainerOptions,
  ) {
    this.rng = rng;
    this.stopOnDivergence = stopOnDivergence;
    this.batches = new MiniBatches(train.count, batchSize, rng);
    this.x = Tensor.zeros([this.batches.batchSize, train.rows * train.cols], dtype);
    this.t = Tensor.zeros([this.batches.batchSize, MNIST_CLASSES], dtype);
    const shape = imageShape(net, train);
    this.input = shape ? this.x.reshape([this.batches.batchSize, ...shape]) : this.x;
    this.classifier = new Classifier(net, dtype);
  }

  /** Updates an epoch (⌊count / batchSize⌋). */
  get perEpoch(): number {
    return this.batches.perEpoch;
  }

  /** Whether the updates done end an epoch. */
  get atEpochEnd(): boolean {
    return this.iteration > 0 && this.iteration % this.perEpoch === 0;
  }

  /** The batch loss of every update done. */
  get losses(): Float64Array {
    return this.lossList.subarray(0, this.iteration);
  }

  /** Seconds spent in `step` and `endEpoch` (and before a `restore`, in the run it continues). */
  get seconds(): number {
    return this.busy;
  }

  /** One update on the next mini-batch; returns its loss. */
  step(): number {
    const start = performance.now();
    const { net } = this;
    fillBatch(this.train, this.batches.next(), this.x, this.t);
    const grads = net.gradient(this.input, this.t, { train: true });
    const loss = net.lastLoss;
    if (this.stopOnDivergence) {
      checkFinite(net, grads, loss, this.iteration + 1, this.input);
      this.checkGrowth(loss);
    }
    this.optimizer.update(net.params, grads);
    if (this.iteration === this.lossList.length) {
      const longer = new Float64Array(this.lossList.length * 2);
      longer.set(this.lossList);
      this.lossList = longer;
    }
    this.lossList[this.iteration++] = loss;
    this.epochLoss += loss;
    this.epochIters++;
    this.busy += (performance.now() - start) / 1000;
    return loss;
  }

  // the loss above DIVERGENCE_FACTOR times max(ln C, the first loss): diverging, though still finite
  private checkGrowth(loss: number): void {
    const classes = this.net.lastLayer.y?.shape[1] ?? 2;
    const reference = Math.max(Math.log(classes), this.iteration > 0 ? this.lossList[0] : loss);
    if (loss > DIVERGENCE_FACTOR * reference)
      throw new DivergenceError(
        this.iteration + 1,
        this.net.lastLayer.label,
        `the loss is ${loss.toPrecision(4)}, more than ${DIVERGENCE_FACTOR} times ${reference.toPrecision(4)} (the larger of ln ${classes} and the run's first loss)`,
        'a loss that does not explode',
      );
  }

  /** The fraction of a set the network classifies correctly now (inference). */
  evaluate(set: MnistSet): number {
    const start = performance.now();
    const accuracy = this.classifier.accuracy(set);
    this.busy += (performance.now() - start) / 1000;
    return accuracy;
  }

  /**
   * Ends the epoch under way (or the partial one a run ends with): its mean batch loss and the
   * accuracy on `trainEval` (the training set, or its first images) and on `test`, added to the history.
   */
  endEpoch(trainEval: MnistSet, test: MnistSet): EpochRecord {
    const record: EpochRecord = {
      epoch: this.history.length + 1,
      iteration: this.iteration,
      loss: this.epochLoss / this.epochIters,
      trainAccuracy: this.evaluate(trainEval),
      testAccuracy: this.evaluate(test),
      seconds: 0,
    };
    record.seconds = this.seconds;
    this.history.push(record);
    this.epochLoss = 0;
    this.epochIters = 0;
    return record;
  }

  /** Everything the run needs to continue where it is (besides the network's weights). */
  state(): TrainingState {
    return {
      iteration: this.iteration,
      rng: this.rng.state(),
      batches: this.batches.state(),
      optimizer: this.optimizer.saveState?.(),
      losses: this.losses.slice(),
      history: this.history.map((r) => ({ ...r })),
      epochLoss: this.epochLoss,
      epochIters: this.epochIters,
      seconds: this.seconds,
    };
  }

  /** Continues a run from a saved state (the net must hold that run's weights). */
  restore(state: TrainingState): void {
    this.rng.setState(state.rng);
    this.batches.restore(state.batches);
    if (state.optimizer) this.optimizer.restoreState?.(state.optimizer);
    this.iteration = state.iteration;
    this.lossList = new Float64Array(Math.max(1024, state.iteration * 2));
    this.lossList.set(state.losses.subarray(0, state.iteration));
    this.history.splice(0, this.history.length, ...state.history.map((r) => ({ ...r })));
    this.epochLoss = state.epochLoss;
    this.epochIters = state.epochIters;
    this.busy = state.seconds;
  }
}

/**
 * Stops on the first loss or gradient that is not finite, naming the iteration and the layer: for
 * a loss, the first layer whose output on this batch is not finite (else the loss layer); for a
 * gradient, the layer whose parameter it is.
 */
function checkFinite(net: Sequential, grads: ParamDict, loss: number, iteration: number, x: Tensor): void {
  if (!Number.isFinite(loss)) {
    const found = net.firstNonFinite(x);
    if (found) throw new DivergenceError(iteration, found.layer.label, `the loss is ${loss}, from a non-finite output`);
    throw new DivergenceError(iteration, net.lastLayer.label, `the loss is ${loss}`);
  }
  for (const [name, grad] of Object.entries(grads)) {
    const g = grad.data;
    if (allFinite(g)) continue;
    for (let i = 0; i < g.length; i++) {
      if (!Number.isFinite(g[i])) {
        const layer = net.layers.find((l) => Object.values(l.params).includes(net.params[name]));
        throw new DivergenceError(iteration, layer?.label ?? name, `the gradient d${name} holds ${g[i]}`);
      }
    }
  }
}
