import type { BackendName } from '../backend/registry.js';
import { describe, InputError } from '../errors.js';
import { JsonFields } from '../io/json-fields.js';
import { type NetConfig, netNames } from '../nets/by-name.js';
import { activations } from '../nets/two-layer-net.js';
import type { WeightInit } from '../nets/weight-init.js';
import { type OptimizerName, optimizerNames } from '../optim/optimizers.js';
import type { DType } from '../tensor/tensor.js';

/**
 * A training run on MNIST as data: the network, the optimizer and everything else that decides the
 * numbers it ends with. A checkpoint stores it, so a resumed run is the same run.
 */
export interface RunConfig {
  net: NetConfig;
  optimizer: OptimizerName;
  lr: number;
  iters: number;
  batchSize: number;
  seed: number;
  dtype: DType;
  /** The kernels of float32 arrays (float64 ones always run on the plain kernels). */
  backend: BackendName;
  /** Train on the first this-many training images. */
  trainSize: number;
  /** Measure test accuracy on the first this-many test images. */
  testSize: number;
  /** Measure train accuracy on the first this-many training images. */
  trainEval: number;
}

/**
 * Updates an epoch of a configuration: ⌊training images / batch size⌋, at least one.
 *
 * @example
 * updatesPerEpoch({ trainSize: 60000, batchSize: 100 }); // 600
 */
export function updatesPerEpoch(config: Pick<RunConfig, 'trainSize' | 'batchSize'>): number {
  return Math.max(1, Math.floor(config.trainSize / Math.min(config.batchSize, config.trainSize)));
}

/**
 * Reads a run's configuration from JSON (a checkpoint's), checking every field: a field that is
 * missing or wrong is one InputError naming it and what was expected.
 *
 * @example
 * const config = runConfigFromJSON(JSON.parse(text), 'ck/checkpoint.safetensors: config');
 */
export function runConfigFromJSON(value: unknown, path = 'config'): RunConfig {
  const c = new JsonFields(value, path);
  const n = new JsonFields(c.get('net'), `${path}.net`);
  const whole = { whole: true, min: 1 };
  const init = n.get('init');
  if (init !== 'he' && init !== 'xavier' && !(typeof init === 'number' && init > 0 && Number.isFinite(init)))
    throw new InputError(`${path}.net.init is ${describe(init)}, expected he, xavier or a positive standard deviation`);
  const net: NetConfig = {
    net: n.choice('net', netNames),
    hidden: n.numbers('hidden', whole),
    activation: n.choice('activation', activations),
    init: init as WeightInit,
    weightDecay: n.number('weightDecay', { min: 0 }),
    ...(n.has('dropout') ? { dropout: n.number('dropout', { min: 0, below: 1 }) } : {}),
    ...(n.has('batchNorm') ? { batchNorm: n.get('batchNorm') === true } : {}),
  };
  return {
    net,
    optimizer: c.choice('optimizer', optimizerNames),
    lr: c.number('lr', { min: Number.MIN_VALUE }),
    iters: c.number('iters', whole),
    batchSize: c.number('batchSize', whole),
    seed: c.number('seed', { whole: true, min: 0 }),
    dtype: c.choice('dtype', ['float64', 'float32'] as const),
    backend: c.choice('backend', ['js', 'wasm'] as const),
    trainSize: c.number('trainSize', whole),
    testSize: c.number('testSize', whole),
    trainEval: c.number('trainEval', whole),
  };
}
