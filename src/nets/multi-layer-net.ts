import { InputError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Dropout } from '../layers/dropout.js';
import type { Layer } from '../layers/layer.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { Rng } from '../tensor/rng.js';
import { type DType, Tensor } from '../tensor/tensor.js';
import { Sequential } from './sequential.js';
import { type Activation, makeActivation } from './two-layer-net.js';
import { gaussian, initStd, type WeightInit } from './weight-init.js';

export interface MultiLayerNetOptions {
  /** relu (default), sigmoid or tanh after every hidden Affine. */
  activation?: Activation;
  /** `he` (default, the book's `'relu'`), `xavier` or a standard deviation. */
  weightInit?: WeightInit;
  /** λ of weight decay (default 0). */
  weightDecay?: number;
  rng?: Rng;
  dtype?: DType;
}

export interface MultiLayerNetExtendOptions extends MultiLayerNetOptions {
  /** Dropout after every hidden activation with this ratio (default: no Dropout). */
  dropout?: number;
  /** BatchNormalization between every hidden Affine and its activation (default false). */
  batchNorm?: boolean;
}

function checkSizes(net: string, inputSize: number, hiddenSizes: readonly number[], outputSize: number): void {
  for (const [name, size] of [
    ['inputSize', inputSize],
    ...hiddenSizes.map((h, i) => [`hiddenSizes[${i}]`, h] as const),
    ['outputSize', outputSize],
  ] as const) {
    if (!Number.isInteger(size) || size < 1) throw new InputError(`${net}: ${name} is ${size}, expected a whole number ≥ 1`);
  }
}

/** The layers of the book's MultiLayerNet(Extend): [Affine, (BatchNorm), activation, (Dropout)] × hidden, Affine. */
function buildLayers(inputSize: number, hiddenSizes: readonly number[], outputSize: number, options: MultiLayerNetExtendOptions): Layer[] {
  const { activation = 'relu', weightInit = 'he', rng = new Rng(0), dtype = 'float64', dropout, batchNorm = false } = options;
  const sizes = [inputSize, ...hiddenSizes, outputSize];
  const layers: Layer[] = [];
  for (let k = 1; k < sizes.length; k++) {
    const W = gaussian([sizes[k - 1], sizes[k]], initStd(weightInit, sizes[k - 1]), rng, dtype);
    layers.push(new Affine(W, Tensor.zeros([sizes[k]], dtype)));
    if (k === sizes.length - 1) break;
    if (batchNorm) {
      const gamma = Tensor.zeros([sizes[k]], dtype);
      gamma.data.fill(1);
      layers.push(new BatchNormalization(gamma, Tensor.zeros([sizes[k]], dtype)));
    }
    layers.push(makeActivation(activation));
    if (dropout !== undefined) layers.push(new Dropout(dropout, rng));
  }
  return layers;
}

/**
 * The book's ch06 MultiLayerNet: a fully connected network of any depth,
 * Affine → activation per hidden layer, a last Affine and SoftmaxWithLoss, with weight
 * initialisation by `he`/`xavier`/a std and weight decay. Params W1, b1, …, W(L+1), b(L+1).
 *
 * @example
 * const net = new MultiLayerNet(784, [100, 100, 100, 100], 10, { weightInit: 'he', rng: new Rng(0) });
 * new Adam().update(net.params, net.gradient(x, t));
 */
export class MultiLayerNet extends Sequential {
  constructor(inputSize: number, hiddenSizes: readonly number[], outputSize: number, options: MultiLayerNetOptions = {}) {
    checkSizes('MultiLayerNet', inputSize, hiddenSizes, outputSize);
    const { dropout: _d, batchNorm: _b, ...plain } = options as MultiLayerNetExtendOptions;
    super(buildLayers(inputSize, hiddenSizes, outputSize, plain), new SoftmaxWithLoss(), { weightDecay: options.weightDecay });
  }
}

/**
 * The book's ch06 MultiLayerNetExtend: MultiLayerNet plus optional BatchNormalization
 * (Affine → BatchNorm → activation, params gammak, betak) and Dropout after each activation.
 *
 * @example
 * const net = new MultiLayerNetExtend(784, [100, 100, 100, 100, 100], 10, { batchNorm: true, weightInit: 0.05 });
 * net.gradient(x, t);                 // train = true: batch statistics, dropout masks
 * net.accuracy(xTest, tTest);          // inference: running statistics, no mask
 */
export class MultiLayerNetExtend extends Sequential {
  constructor(inputSize: number, hiddenSizes: readonly number[], outputSize: number, options: MultiLayerNetExtendOptions = {}) {
    checkSizes('MultiLayerNetExtend', inputSize, hiddenSizes, outputSize);
    super(buildLayers(inputSize, hiddenSizes, outputSize, options), new SoftmaxWithLoss(), { weightDecay: options.weightDecay });
  }
}
