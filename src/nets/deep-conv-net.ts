import { InputError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import { Convolution } from '../layers/convolution.js';
import { Dropout } from '../layers/dropout.js';
import type { Layer } from '../layers/layer.js';
import { Pooling } from '../layers/pooling.js';
import { Relu } from '../layers/relu.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { Rng } from '../tensor/rng.js';
import { type DType, Tensor } from '../tensor/tensor.js';
import { Sequential } from './sequential.js';
import { gaussian, initStd, type WeightInit } from './weight-init.js';

/** One convolution of DeepConvNet: its filters (all 3×3, stride 1) and its pad. */
export interface ConvSpec {
  filters: number;
  pad: number;
}

/** The book's six convolutions: 16, 16, 32, 32 (pad 2), 64, 64 filters of 3×3. */
export const DEEP_CONV_LAYERS: readonly ConvSpec[] = [
  { filters: 16, pad: 1 },
  { filters: 16, pad: 1 },
  { filters: 32, pad: 1 },
  { filters: 32, pad: 2 },
  { filters: 64, pad: 1 },
  { filters: 64, pad: 1 },
];

export interface DeepConvNetOptions {
  /** C×H×W of one image (default 1×28×28). */
  inputDim?: readonly [number, number, number];
  /** The convolutions, a 2×2 max pooling after each pair (default the book's, DEEP_CONV_LAYERS). */
  convs?: readonly ConvSpec[];
  /** Units of the hidden Affine (default 50). */
  hiddenSize?: number;
  outputSize?: number;
  /** The ratio of both Dropout layers (default 0.5). */
  dropout?: number;
  /** He by default, as the book (√(2/fan-in): C·3·3 for a convolution). */
  weightInit?: WeightInit;
  weightDecay?: number;
  /** Draws the initial weights and the Dropout masks. */
  rng?: Rng;
  dtype?: DType;
}

/**
 * The book's ch08 DeepConvNet, over 99% on MNIST: three times (Convolution 3×3 → Relu →
 * Convolution 3×3 → Relu → Pooling max 2×2), then Affine → Relu → Dropout → Affine → Dropout →
 * SoftmaxWithLoss; params W1…W8, b1…b8. With the book's sizes a 1×28×28 image goes
 * 28 → 28 → 14 → 14 → 16 (pad 2) → 8 → 8 → 8 → 4, so the first Affine takes 64·4·4 = 1024.
 *
 * @example
 * const net = new DeepConvNet({ rng: new Rng(0) });
 * new Adam(0.001).update(net.params, net.gradient(x.reshape([100, 1, 28, 28]), t));
 */
export class DeepConvNet extends Sequential {
  constructor(options: DeepConvNetOptions = {}) {
    const {
      inputDim = [1, 28, 28],
      convs = DEEP_CONV_LAYERS,
      hiddenSize = 50,
      outputSize = 10,
      dropout = 0.5,
      weightInit = 'he',
      rng = new Rng(0),
      dtype = 'float64',
    } = options;
    if (convs.length === 0 || convs.length % 2 !== 0)
      throw new InputError(`DeepConvNet: ${convs.length} convolutions, expected pairs of them (a pooling follows each pair)`);
    for (const [name, size] of [
      ['hiddenSize', hiddenSize],
      ['outputSize', outputSize],
      ...convs.map((c, i) => [`convs[${i}].filters`, c.filters] as const),
      ...inputDim.map((d, i) => [`inputDim[${i}]`, d] as const),
    ] as const) {
      if (!Number.isInteger(size) || size < 1) throw new InputError(`DeepConvNet: ${name} is ${size}, expected a whole number ≥ 1`);
    }
    const layers: Layer[] = [];
    let shape: readonly number[] = [1, ...inputDim];
    const add = (layer: Layer) => {
      shape = layer.outputShape(shape);
      layers.push(layer);
    };
    convs.forEach(({ filters, pad }, i) => {
      if (!Number.isInteger(pad) || pad < 0) throw new InputError(`DeepConvNet: convs[${i}].pad is ${pad}, expected a whole number ≥ 0`);
      const channels = shape[1];
      const W = gaussian([filters, channels, 3, 3], initStd(weightInit, channels * 9), rng, dtype);
      add(new Convolution(W, Tensor.zeros([filters], dtype), 1, pad));
      add(new Relu());
      if (i % 2 === 1) add(new Pooling(2, 2, 2));
    });
    const flat = shape.slice(1).reduce((a, b) => a * b, 1);
    add(new Affine(gaussian([flat, hiddenSize], initStd(weightInit, flat), rng, dtype), Tensor.zeros([hiddenSize], dtype)));
    add(new Relu());
    add(new Dropout(dropout, rng));
    add(new Affine(gaussian([hiddenSize, outputSize], initStd(weightInit, hiddenSize), rng, dtype), Tensor.zeros([outputSize], dtype)));
    add(new Dropout(dropout, rng));
    super(layers, new SoftmaxWithLoss(), { weightDecay: options.weightDecay, inputShape: inputDim });
  }
}
