import { InputError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import { Convolution } from '../layers/convolution.js';
import { Pooling } from '../layers/pooling.js';
import { Relu } from '../layers/relu.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { Rng } from '../tensor/rng.js';
import { type DType, Tensor } from '../tensor/tensor.js';
import { Sequential } from './sequential.js';
import { gaussian, initStd, type WeightInit } from './weight-init.js';

export interface SimpleConvNetOptions {
  /** C×H×W of one image (default 1×28×28). */
  inputDim?: readonly [number, number, number];
  /** The book's conv_param (default 30 filters of 5×5, pad 0, stride 1). */
  filterNum?: number;
  filterSize?: number;
  pad?: number;
  stride?: number;
  /** Units of the hidden Affine (default 100). */
  hiddenSize?: number;
  outputSize?: number;
  /** The book's 0.01 by default; `he` or `xavier` use each layer's fan-in (C·FH·FW for the convolution). */
  weightInit?: WeightInit;
  weightDecay?: number;
  rng?: Rng;
  dtype?: DType;
}

/**
 * The book's ch07 SimpleConvNet: Convolution → Relu → Pooling (max 2×2, stride 2) → Affine →
 * Relu → Affine → SoftmaxWithLoss, params W1, b1 (the filters), W2, b2, W3, b3. It takes
 * N×C×H×W batches (its `inputShape` is C×H×W).
 *
 * @example
 * const net = new SimpleConvNet({ rng: new Rng(0) }); // 1×28×28 → 30 filters 5×5 → 100 → 10
 * new Adam(0.001).update(net.params, net.gradient(x.reshape([100, 1, 28, 28]), t));
 */
export class SimpleConvNet extends Sequential {
  constructor(options: SimpleConvNetOptions = {}) {
    const {
      inputDim = [1, 28, 28],
      filterNum = 30,
      filterSize = 5,
      pad = 0,
      stride = 1,
      hiddenSize = 100,
      outputSize = 10,
      weightInit = 0.01,
      rng = new Rng(0),
      dtype = 'float64',
    } = options;
    for (const [name, size] of [
      ['filterNum', filterNum],
      ['filterSize', filterSize],
      ['hiddenSize', hiddenSize],
      ['outputSize', outputSize],
      ...inputDim.map((d, i) => [`inputDim[${i}]`, d] as const),
    ] as const) {
      if (!Number.isInteger(size) || size < 1) throw new InputError(`SimpleConvNet: ${name} is ${size}, expected a whole number ≥ 1`);
    }
    const [c] = inputDim;
    const fanIn = c * filterSize * filterSize;
    const conv = new Convolution(
      gaussian([filterNum, c, filterSize, filterSize], initStd(weightInit, fanIn), rng, dtype),
      Tensor.zeros([filterNum], dtype),
      stride,
      pad,
    );
    const pool = new Pooling(2, 2, 2);
    const pooled = pool.outputShape(conv.outputShape([1, ...inputDim])).reduce((a, b) => a * b, 1);
    const affine1 = new Affine(gaussian([pooled, hiddenSize], initStd(weightInit, pooled), rng, dtype), Tensor.zeros([hiddenSize], dtype));
    const affine2 = new Affine(
      gaussian([hiddenSize, outputSize], initStd(weightInit, hiddenSize), rng, dtype),
      Tensor.zeros([outputSize], dtype),
    );
    super([conv, new Relu(), pool, affine1, new Relu(), affine2], new SoftmaxWithLoss(), {
      weightDecay: options.weightDecay,
      inputShape: inputDim,
    });
  }
}
