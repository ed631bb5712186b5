import { InputError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import type { Layer } from '../layers/layer.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { Tanh } from '../layers/tanh.js';
import { Rng } from '../tensor/rng.js';
import { type DType, Tensor } from '../tensor/tensor.js';
import { Sequential } from './sequential.js';
import { gaussian } from './weight-init.js';

export type Activation = 'relu' | 'sigmoid' | 'tanh';
export const activations: readonly Activation[] = ['relu', 'sigmoid', 'tanh'];

/** Makes the activation layer named by `activation`. */
export function makeActivation(activation: Activation): Layer {
  if (activation === 'relu') return new Relu();
  if (activation === 'sigmoid') return new Sigmoid();
  if (activation === 'tanh') return new Tanh();
  throw new InputError(`activation is ${JSON.stringify(activation)}, expected one of ${activations.join(', ')}`);
}

export interface NetOptions {
  /** The random generator for the initial weights (default: a new one seeded with 0). */
  rng?: Rng;
  dtype?: DType;
}

/**
 * The book's two-layer network: Affine → activation → Affine → SoftmaxWithLoss, with
 * params `W1`, `b1`, `W2`, `b2`. ch04's network uses Sigmoid (the seed's), ch05's Relu (the default).
 *
 * @example
 * const net = new TwoLayerNet(784, 50, 10, 0.01, 'relu', { rng: new Rng(1) });
 * const grads = net.gradient(xBatch, tBatch);
 * new SGD(0.1).update(net.params, grads);
 */
export class TwoLayerNet extends Sequential {
  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    weightInitStd = 0.01,
    activation: Activation = 'relu',
    { rng = new Rng(0), dtype = 'float64' }: NetOptions = {},
  ) {
    for (const [name, size] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
      ['outputSize', outputSize],
    ] as const) {
      if (!Number.isInteger(size) || size < 1) throw new InputError(`TwoLayerNet: ${name} is ${size}, expected a whole number ≥ 1`);
    }
    const W1 = gaussian([inputSize, hiddenSize], weightInitStd, rng, dtype);
    const W2 = gaussian([hiddenSize, outputSize], weightInitStd, rng, dtype);
    super(
      [new Affine(W1, Tensor.zeros([hiddenSize], dtype)), makeActivation(activation), new Affine(W2, Tensor.zeros([outputSize], dtype))],
      new SoftmaxWithLoss(),
    );
  }
}
