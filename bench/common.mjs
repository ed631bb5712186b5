// Shared by every JavaScript peer: the MNIST files, the mini-batch order and the timing.
import { subset } from '../dist/src/data/mnist.js';
import { loadMnistSet, mnistDataDir } from '../dist/src/io/node/mnist-files.js';

export { mnistDataDir };

let train;
let test;
/** The MNIST training and test sets, each read once per process. */
export function loadMnist() {
  train ??= loadMnistSet('train');
  test ??= loadMnistSet('t10k');
  return { train, test };
}

/** The first `count` test images (W4's throughput set; the training set is not read). */
export function testImages(count) {
  test ??= loadMnistSet('t10k');
  return subset(test, count);
}

/** Seconds taken by each of `runs` calls of fn (fn may be async). */
export async function timeRuns(runs, fn) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await fn(r);
    times.push((performance.now() - start) / 1000);
  }
  return times;
}

/**
 * timeRuns after untimed calls of fn, so that every peer is timed warm (compiled, buffers made, its
 * JIT settled: a JavaScript peer's second and third calls can still be slower than the rest): three
 * calls, or fewer once they have taken a second.
 */
export async function timeWarm(runs, fn) {
  const start = performance.now();
  for (let call = 0; call < 3 && (call === 0 || performance.now() - start < 1000); call++) await fn();
  return timeRuns(runs, fn);
}

/**
 * Seconds taken by each of `runs` training runs: fresh() builds a run's net and optimizer outside
 * the clock, train(them) is timed. Returns the times and what the last run trained, to test it.
 */
export async function timeTraining(runs, fresh, train) {
  const times = [];
  let model;
  for (let r = 0; r < runs; r++) {
    model = await fresh();
    const start = performance.now();
    await train(model);
    times.push((performance.now() - start) / 1000);
  }
  return { times, model };
}

// A small seeded generator (mulberry32) so that every JS peer draws the same batches.
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled order of 0 … n−1. */
export function permutation(n, random) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Normal(0, std²) floats by Box–Muller. */
export function gaussian(size, std, random) {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return out;
}

/** Fills x (batch×784, float32, /255) and one-hot t (batch×10) from the images at order[from …]. */
export function fillBatchF32(set, order, from, batch, x, t) {
  const pixels = set.rows * set.cols;
  t.fill(0);
  for (let i = 0; i < batch; i++) {
    const k = order[from + i];
    x.set(set.images.subarray(k * pixels, (k + 1) * pixels), i * pixels);
    t[i * 10 + set.labels[k]] = 1;
  }
  for (let p = 0; p < batch * pixels; p++) x[p] /= 255;
}

/** Random dense float32 operands of op(A) m×k and op(B) k×n stored for the transpose flags. */
export function gemmOperands(m, n, k, seed) {
  const random = rng(seed);
  const a = new Float32Array(m * k);
  const b = new Float32Array(k * n);
  for (let i = 0; i < a.length; i++) a[i] = random() * 2 - 1;
  for (let i = 0; i < b.length; i++) b[i] = random() * 2 - 1;
  return { a, b };
}

/** The peak resident set of this process so far, in MB. */
export function peakRssMB() {
  return process.resourceUsage().maxRSS / 1024;
}
