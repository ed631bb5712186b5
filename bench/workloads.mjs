// The benchmark's workloads: each names its settings once; every peer implements what it can.

export const GEMM_SHAPES = [
  // [label, m, n, k]: op(A) m×k times op(B) k×n
  ['(100×784)·(784×50)', 100, 50, 784],
  ['(784×100)·(100×50)', 784, 50, 100],
  ['(100×50)·(784×50)ᵀ', 100, 784, 50],
  ['512³', 512, 512, 512],
];

export const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

export const workloads = {
  W1: {
    title: 'W1: TwoLayerNet 784-50-10 sigmoid, batch 100, SGD lr 0.1, one epoch (600 steps), float32',
    settings: { hidden: 50, batch: 100, lr: 0.1, steps: 600, std: 0.01, seed: 1, evalImages: 10000 },
    quick: { steps: 5, evalImages: 200 },
    runs: 5,
  },
  W4: {
    title: 'W4: TwoLayerNet 784-50-10 sigmoid inference: one image (latency), the 10,000 test images (throughput)',
    settings: { hidden: 50, single: 2000, images: 10000, seed: 1 },
    quick: { single: 10, images: 500 },
    // runs of ~10 ms, 3 in each of 5 processes (full runs): now and then a whole process runs
    // 1.25–2.4× slower on this machine (scratchnet's and tfjs-wasm's alike), so no one process sets
    // the median of the 15
    runs: 3,
    processes: 5,
  },
  GEMM: {
    title: 'GEMM: float32 GFLOP/s, dense random operands, each transpose case',
    settings: { seed: 3, minSeconds: 0.2 },
    quick: { minSeconds: 0.002, shapes: 1 },
    runs: 3,
  },
  W2: {
    title: 'W2: MLP 784-512-512-10 relu, He init, batch 128, Adam lr 0.001, one epoch (468 steps), float32',
    settings: { hidden: [512, 512], batch: 128, steps: 468, lr: 0.001, beta1: 0.9, beta2: 0.999, seed: 1, evalImages: 10000 },
    quick: { steps: 2, batch: 32, evalImages: 50 },
    runs: 3,
  },
  W3: {
    title:
      'W3: SimpleConvNet (conv 30×5×5, relu, max pool 2×2, affine 100, relu, affine 10), weights N(0, 0.01²), batch 100, Adam lr 0.001, 100 steps, float32',
    settings: {
      filters: 30,
      filterSize: 5,
      hidden: 100,
      std: 0.01,
      batch: 100,
      steps: 100,
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      seed: 1,
      evalImages: 1000,
    },
    // tfjs cpu's filter gradient takes seconds for a batch of 100
    quick: { steps: 1, batch: 10, evalImages: 50 },
    runs: 3,
  },
  W5: {
    title:
      "W5: DeepConvNet (the book's ch08: 3×3 convolutions 16, 16, pool, 32, 32 (pad 2), pool, 64, 64, pool, affine 50, relu, dropout 0.5, affine 10, dropout 0.5), He init, batch 100, Adam lr 0.001, 100 steps, float32",
    settings: {
      convs: [
        [16, 1],
        [16, 1],
        [32, 1],
        [32, 2],
        [64, 1],
        [64, 1],
      ],
      hidden: 50,
      dropout: 0.5,
      batch: 100,
      steps: 100,
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      seed: 1,
      evalImages: 1000,
    },
    quick: { steps: 1, batch: 10, evalImages: 50 },
    // one run in each of 3 processes: a float32 DeepConvNet's buffers (some 300 MB) stay in the
    // wasm kernels' memory until V8 collects the net, and three in one process do not fit its 1 GiB
    runs: 1,
    processes: 3,
  },
};

/** A workload's settings, shortened by its `quick` overrides when `quick`. */
export function settingsOf(name, quick) {
  const w = workloads[name];
  return { ...w.settings, ...(quick ? w.quick : {}), runs: quick ? 1 : w.runs };
}
