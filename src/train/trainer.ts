import { MiniBatches } from '../data/mini-batches.js';
import { fillBatch, MNIST_CLASSES, type MnistSet, subset } from '../data/mnist.js';
import { ScratchnetError } from '../errors.js';
import type { ParamDict, Sequential } from '../nets/sequential.js';
import type { Optimizer } from '../optim/sgd.js';
import type { OptimizerState } from '../optim/state.js';
import { normalizeBytes } from '../tensor/ops.js';
import type { Rng } from '../tensor/rng.js';
import { type DType, Tensor } from '../tensor/tensor.js';

export interface TrainOptions {
  /** Mini-batch updates to run. */
  iters: number;
  batchSize: number;
  /** Shuffles the training set each epoch. */
  rng: Rng;
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
  /** Call `onCheckpoint` every this-many iterations with the whole training state. */
  checkpointEvery?: number;
  onCheckpoint?: (state: TrainingState) => void;
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

/** Training stopped on a loss or gradient that is not a finite number. */
export class DivergenceError extends ScratchnetError {
  override name = 'DivergenceError';
  constructor(
    readonly iteration: number,
    readonly layer: string,
    what: string,
  ) {
    super(`training diverged at iteration ${iteration}: ${what} in ${layer}, expected finite numbers (try a smaller learning rate)`);
  }
}

/** One row of the training history: what an epoch ended with. */
export interface EpochRecord {
  epoch: number;
  /** Updates done so far. */
  iteration: number;
  /** Mean batch loss over this epoch's updates. */
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Seconds since training started. */
  seconds: number;
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
 * Mini-batch training as in the book's train_neuralnet: each iteration takes a batch, computes the
 * gradient by backprop and lets the optimizer update the weights; after each epoch (⌊count /
 * batchSize⌋ iterations) it measures accuracy on the whole training and test sets (or, with
 * `trainEvalCount`, on the first images of the training set). Forward passes of training run with
 * train = true (Dropout masks, batch statistics), those of evaluation with train = false. A net
 * with an `inputShape` (a convolutional one) gets each N×784 batch viewed as N×1×28×28.
 *
 * @example
 * const net = new TwoLayerNet(784, 50, 10);
 * const result = trainNet(net, new SGD(0.1), train, test, { iters: 600, batchSize: 100, rng: new Rng(0) });
 * result.testAccuracy; // ≈ 0.90
 */
export function trainNet(net: Sequential, optimizer: Optimizer, train: MnistSet, test: MnistSet, options: TrainOptions): TrainResult {
  const { iters, rng, dtype = 'float64' } = options;
  if (!Number.isInteger(iters) || iters < 1) throw new ScratchnetError(`iterations is ${iters}, expected a whole number ≥ 1`);
  const batches = new MiniBatches(train.count, options.batchSize, rng);
  const x = Tensor.zeros([batches.batchSize, train.rows * train.cols], dtype);
  const t = Tensor.zeros([batches.batchSize, MNIST_CLASSES], dtype);
  const shape = imageShape(net, train);
  const input = shape ? x.reshape([batches.batchSize, ...shape]) : x;
  const trainEval = options.trainEvalCount === undefined ? train : subset(train, options.trainEvalCount);
  const losses = new Float64Array(iters);
  const history: EpochRecord[] = [];
  let epochLoss = 0;
  let epochIters = 0;
  let first = 1;
  let earlier = 0;
  const { resume } = options;
  if (resume) {
    if (resume.iteration >= iters)
      throw new ScratchnetError(`the checkpoint is at iteration ${resume.iteration}, expected fewer than the run's ${iters}`);
    rng.setState(resume.rng);
    batches.restore(resume.batches);
    if (resume.optimizer) optimizer.restoreState?.(resume.optimizer);
    losses.set(resume.losses.subarray(0, resume.iteration));
    history.push(...resume.history);
    ({ epochLoss, epochIters } = resume);
    first = resume.iteration + 1;
    earlier = resume.seconds;
  }
  const start = Date.now();
  const elapsed = (): number => earlier + (Date.now() - start) / 1000;
  for (let i = first; i <= iters; i++) {
    fillBatch(train, batches.next(), x, t);
    const grads = net.gradient(input, t, { train: true });
    const loss = net.lastLoss;
    checkFinite(net, grads, loss, i, input);
    optimizer.update(net.params, grads);
    losses[i - 1] = loss;
    epochLoss += loss;
    epochIters++;
    options.onIteration?.(i, loss);
    if (i % batches.perEpoch === 0 || i === iters) {
      const record: EpochRecord = {
        epoch: history.length + 1,
        iteration: i,
        loss: epochLoss / epochIters,
        trainAccuracy: evaluate(net, trainEval, dtype),
        testAccuracy: evaluate(net, test, dtype),
        seconds: elapsed(),
      };
      history.push(record);
      options.onEpoch?.(record);
      epochLoss = 0;
      epochIters = 0;
    }
    if (options.onCheckpoint && options.checkpointEvery && (i % options.checkpointEvery === 0 || i === iters)) {
      options.onCheckpoint({
        iteration: i,
        rng: rng.state(),
        batches: batches.state(),
        optimizer: optimizer.saveState?.(),
        losses: losses.slice(0, i),
        history: history.map((r) => ({ ...r })),
        epochLoss,
        epochIters,
        seconds: elapsed(),
      });
    }
  }
  const last = history[history.length - 1];
  return { history, losses, trainAccuracy: last.trainAccuracy, testAccuracy: last.testAccuracy, trainAccuracyCount: trainEval.count };
}

/**
 * The C×H×W a network takes its images as: its `inputShape`, or, for a network read from a file
 * that starts with a Convolution, the filter's channels × the set's rows × columns; none for a
 * network that takes flat rows.
 */
export function imageShape(net: Sequential, set: MnistSet): readonly number[] | undefined {
  if (net.inputShape) return net.inputShape;
  const takes = net.layers[0]?.inputShape?.();
  return takes?.length === 4 ? [takes[1], set.rows, set.cols] : undefined;
}

/**
 * Stops on the first loss or gradient that is not finite, naming the iteration and the layer: for
 * a loss, the first layer whose output on this batch is not finite (else the loss layer); for a
 * gradient, the layer whose parameter it is.
 */
function checkFinite(net: Sequential, grads: ParamDict, loss: number, iteration: number, x: Tensor): void {
  if (!Number.isFinite(loss)) {
    let out = x;
    for (const layer of net.layers) {
      out = layer.forward(out, false);
      if (!out.data.every(Number.isFinite))
        throw new DivergenceError(iteration, layer.label, `the loss is ${loss}, from a non-finite output`);
    }
    throw new DivergenceError(iteration, net.lastLayer.label, `the loss is ${loss}`);
  }
  for (const [name, grad] of Object.entries(grads)) {
    const g = grad.data;
    for (let i = 0; i < g.length; i++) {
      if (!Number.isFinite(g[i])) {
        const layer = net.layers.find((l) => Object.values(l.params as ParamDict).includes(net.params[name]));
        throw new DivergenceError(iteration, layer?.label ?? name, `the gradient d${name} holds ${g[i]}`);
      }
    }
  }
}

/**
 * The fraction of a set the network classifies correctly (inference: train = false), by
 * {@link classify}: in batches, the floats of the whole set never held at once. A convolutional net
 * (one with an `inputShape`) gets batches of 100, to keep its im2col buffers small.
 */
export function evaluate(net: Sequential, set: MnistSet, dtype: DType = 'float64', batchSize?: number): number {
  const predicted = classify(net, set, dtype, batchSize);
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) correct++;
  return correct / set.count;
}

// classify's buffers, kept for the next call: new ones each call would leave the memory of the wasm
// kernels, where float32 tensors live, to a garbage collector that does not see it filling
const buffers = new Map<string, Tensor>();
function reusable(role: 'images' | 'first layer', size: number, dtype: DType): Tensor {
  const kept = buffers.get(role);
  if (kept && kept.dtype === dtype && kept.size >= size) return kept;
  const made = Tensor.zeros([size], dtype);
  buffers.set(role, made);
  return made;
}

/**
 * The class the network gives each image of a set (the highest score; inference, train = false).
 * The images stay bytes: each batch of them is converted to floats in [0, 1] in one buffer that
 * serves every batch, so that the floats of the whole set are never held at once. A convolutional
 * net (one with an `inputShape`) gets batches of 100, to keep its im2col buffers small.
 *
 * @example
 * const digits = classify(net, loadMnistSet('t10k'), 'float32'); // digits[0] === 7
 */
export function classify(
  net: Sequential,
  set: MnistSet,
  dtype: DType = 'float64',
  batchSize = imageShape(net, set) ? 100 : 1000,
): Int32Array {
  const shape = imageShape(net, set);
  const predicted = new Int32Array(set.count);
  const pixels = set.rows * set.cols;
  const size = Math.min(batchSize, set.count);
  const rows = new Int32Array(size);
  // a first layer that takes the bytes themselves (an Affine) never makes their floats
  const first = !shape && net.layers[0]?.forwardBytes ? net.layers[0] : undefined;
  for (let start = 0; start < set.count; start += size) {
    const n = Math.min(size, set.count - start);
    for (let i = 0; i < n; i++) rows[i] = start + i;
    const batchRows = n === size ? rows : rows.subarray(0, n);
    let scores: Tensor;
    if (first?.forwardBytes) {
      scores = first.forwardBytes({ bytes: set.images, rows: batchRows, width: pixels });
      for (const layer of net.layers.slice(1)) scores = layer.forward(scores, false);
    } else {
      const x = new Tensor(reusable('images', size * pixels, dtype).data.subarray(0, n * pixels), [n, pixels]);
      normalizeBytes({ bytes: set.images, rows: batchRows, width: pixels }, x.data);
      scores = net.forward(shape ? x.reshape([n, ...shape]) : x);
    }
    const sd = scores.data;
    const classes = scores.shape[1];
    for (let i = 0; i < n; i++) {
      const r = i * classes;
      let best = 0;
      for (let j = 1; j < classes; j++) if (sd[r + j] > sd[r + best]) best = j;
      predicted[start + i] = best;
    }
  }
  return predicted;
}
