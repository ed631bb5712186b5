import { InputError } from '../errors.js';
import type { Rng } from '../tensor/rng.js';
import { type DType, Tensor } from '../tensor/tensor.js';

/**
 * How initial weights are scaled, as the book's `weight_init_std`: a standard deviation, `he`
 * (√(2/n), for Relu) or `xavier` (√(1/n), for Sigmoid and Tanh), where n is the number of nodes
 * of the previous layer (the fan-in; C·FH·FW for a convolution).
 */
export type WeightInit = 'he' | 'xavier' | number;

/**
 * The standard deviation of a layer's initial weights for `fanIn` inputs.
 *
 * @example
 * initStd('he', 784);     // √(2/784) ≈ 0.0505
 * initStd('xavier', 100); // 0.1
 * initStd(0.01, 784);     // 0.01
 */
export function initStd(init: WeightInit, fanIn: number): number {
  if (init === 'he') return Math.sqrt(2 / fanIn);
  if (init === 'xavier') return Math.sqrt(1 / fanIn);
  if (typeof init !== 'number' || !(init > 0) || !Number.isFinite(init)) {
    throw new InputError(`weight init is ${JSON.stringify(init)}, expected he, xavier or a positive standard deviation`);
  }
  return init;
}

/** Reads `he`, `xavier` (or the book's aliases `relu`, `sigmoid`) or a positive number. */
export function parseWeightInit(text: string): WeightInit | undefined {
  if (text === 'he' || text === 'relu') return 'he';
  if (text === 'xavier' || text === 'sigmoid') return 'xavier';
  const std = Number(text);
  return text.trim() !== '' && Number.isFinite(std) && std > 0 ? std : undefined;
}

/**
 * A tensor of N(0, std²) samples, as the book's `weight_init_std * np.random.randn(*shape)`.
 *
 * @example
 * gaussian([30, 1, 5, 5], 0.01, new Rng(0), 'float64'); // SimpleConvNet's W1
 */
export function gaussian(shape: readonly number[], std: number, rng: Rng, dtype: DType): Tensor {
  if (!(std > 0) || !Number.isFinite(std)) throw new InputError(`weight init std is ${std}, expected a positive number`);
  const t = Tensor.zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = std * rng.normal();
  return t;
}
