import type { MnistSet } from '../data/mnist.js';
import { InputError } from '../errors.js';
import type { Sequential } from '../nets/sequential.js';
import { normalizeBytes } from '../tensor/ops.js';
import { ANY, type DType, reuse, Tensor } from '../tensor/tensor.js';

/**
 * The C×H×W a network takes a set's images as: its `inputShape`, or, for a network read from a file
 * whose first layer takes images (a Convolution, a Pooling), that layer's channels (one when it takes
 * any) × the set's rows × columns; none for a network that takes flat rows.
 */
export function imageShape(net: Sequential, set: MnistSet): readonly number[] | undefined {
  if (net.inputShape) return net.inputShape;
  const takes = net.layers[0]?.inputShape?.();
  return takes?.length === 4 ? [takes[1] === ANY ? 1 : takes[1], set.rows, set.cols] : undefined;
}

/**
 * Classifies sets of images with one network (inference: train = false), batch by batch: the
 * images stay bytes, and each batch is turned into floats in [0, 1] in one buffer that serves
 * every batch and every call, so that the floats of a whole set are never held at once. A first
 * layer that takes the bytes themselves (an Affine, `forwardBytes`) never makes their floats. A
 * convolutional net gets batches of 100, to keep its im2col buffers small.
 *
 * @example
 * const classifier = new Classifier(net);
 * classifier.accuracy(test); // 0.97…
 */
export class Classifier {
  private images: Tensor | undefined;

  constructor(
    readonly net: Sequential,
    /** The float type of the batches (default: the network's). */
    readonly dtype: DType = net.dtype,
  ) {}

  /** The class the network gives each image of a set: the highest score. */
  classify(set: MnistSet, batchSize = imageShape(this.net, set) ? 100 : 1000): Int32Array {
    const { net } = this;
    const shape = imageShape(net, set);
    const predicted = new Int32Array(set.count);
    const pixels = set.rows * set.cols;
    const size = Math.min(batchSize, set.count);
    const rows = new Int32Array(size);
    const first = shape ? undefined : net.layers[0];
    for (let start = 0; start < set.count; start += size) {
      const n = Math.min(size, set.count - start);
      for (let i = 0; i < n; i++) rows[i] = start + i;
      const source = { bytes: set.images, rows: n === size ? rows : rows.subarray(0, n), width: pixels };
      let scores: Tensor;
      if (first?.forwardBytes) {
        scores = first.forwardBytes(source);
        for (const layer of net.layers.slice(1)) scores = layer.forward(scores, false);
      } else {
        this.images = reuse(this.images, [size * pixels], this.dtype);
        const x = new Tensor(this.images.data.subarray(0, n * pixels), [n, pixels]);
        normalizeBytes(source, x.data);
        scores = net.forward(shape ? x.reshape([n, ...shape]) : x);
      }
      const sd = scores.data;
      if (!sd.every(Number.isFinite)) {
        // name the layer that gives it, from the batch's floats
        const x = Tensor.zeros([n, pixels], this.dtype);
        normalizeBytes(source, x.data);
        net.checkFinite(shape ? x.reshape([n, ...shape]) : x, sd);
      }
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

  /** The fraction of a set the network classifies correctly. */
  accuracy(set: MnistSet, batchSize?: number): number {
    if (set.count === 0) throw new InputError('the set has no images, expected at least one to measure an accuracy on');
    const predicted = this.classify(set, batchSize);
    let correct = 0;
    for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) correct++;
    return correct / set.count;
  }
}

/**
 * The class the network gives each image of a set (see {@link Classifier}).
 *
 * @example
 * const digits = classify(net, loadMnistSet('t10k')); // digits[0] === 7
 */
export function classify(net: Sequential, set: MnistSet, dtype: DType = net.dtype, batchSize?: number): Int32Array {
  return new Classifier(net, dtype).classify(set, batchSize);
}

/**
 * The fraction of a set the network classifies correctly (inference: train = false).
 *
 * @example
 * evaluate(net, loadMnistSet('t10k')); // 0.97…
 */
export function evaluate(net: Sequential, set: MnistSet, dtype: DType = net.dtype, batchSize?: number): number {
  return new Classifier(net, dtype).accuracy(set, batchSize);
}
