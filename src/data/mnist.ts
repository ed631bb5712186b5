import { InputError, ShapeError } from '../errors.js';
import { normalizeBytes } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { parseIdx } from './idx.js';

/**
 * A set of MNIST images and labels, kept as the bytes of the files (one byte a pixel) and turned
 * into float batches only when a batch is needed.
 */
export interface MnistSet {
  /** count × (rows·cols) pixels, 0–255, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export const MNIST_CLASSES = 10;

/**
 * Reads a set from the bytes of its IDX image and label files, checking that they agree.
 *
 * @example
 * const test = mnistFromIdx(imageBytes, labelBytes, 't10k'); // test.count === 10000
 */
export function mnistFromIdx(imageBytes: Uint8Array, labelBytes: Uint8Array, name = 'MNIST'): MnistSet {
  const images = parseIdx(imageBytes, `${name} images`);
  const labels = parseIdx(labelBytes, `${name} labels`);
  if (images.dims.length !== 3) throw new InputError(`${name} images: ${images.dims.join('×')}, expected count×rows×cols`);
  if (labels.dims.length !== 1) throw new InputError(`${name} labels: ${labels.dims.join('×')}, expected one label per image`);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) throw new InputError(`${name}: ${count} images but ${labels.dims[0]} labels, expected one label per image`);
  const bad = labels.data.findIndex((label) => label >= MNIST_CLASSES);
  if (bad >= 0) throw new InputError(`${name} labels: label ${labels.data[bad]} at ${bad}, expected a digit 0…9`);
  return { images: images.data, labels: labels.data, count, rows, cols };
}

/**
 * Fills x (N×pixels) with the images at `indices`, normalised to [0, 1], and t (N×10) with their
 * one-hot labels: one mini-batch, written into buffers that are reused batch after batch.
 *
 * @example
 * const x = Tensor.zeros([100, 784]); const t = Tensor.zeros([100, 10]);
 * fillBatch(train, order.subarray(0, 100), x, t);
 */
export function fillBatch(set: MnistSet, indices: ArrayLike<number>, x: Tensor, t: Tensor): void {
  const pixels = set.rows * set.cols;
  const n = indices.length;
  if (x.size !== n * pixels || x.shape[0] !== n) throw new ShapeError(`fillBatch: x is ${x.shape.join('×')}, expected ${n}×${pixels}`);
  if (t.rank !== 2 || t.shape[0] !== n || t.shape[1] !== MNIST_CLASSES) {
    throw new ShapeError(`fillBatch: t is ${t.shape.join('×')}, expected ${n}×${MNIST_CLASSES} one-hot rows`);
  }
  normalizeBytes({ bytes: set.images, rows: indices, width: pixels }, x.data);
  const td = t.data;
  td.fill(0);
  for (let i = 0; i < n; i++) td[i * MNIST_CLASSES + set.labels[indices[i]]] = 1;
}

/** The first `count` examples of a set (a view, no copy): for quick runs on a subset. */
export function subset(set: MnistSet, count: number): MnistSet {
  const n = Math.min(count, set.count);
  const pixels = set.rows * set.cols;
  return { ...set, images: set.images.subarray(0, n * pixels), labels: set.labels.subarray(0, n), count: n };
}
