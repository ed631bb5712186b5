import type { BackendName } from '../backend/registry.js';
import { describe, InputError } from '../errors.js';
import { JsonFields } from '../io/json-fields.js';
import { isConvNet, MAX_PARAMETERS, multiplyAddsPerExample, type NetConfig, netNames, parameterCount } from '../nets/by-name.js';
import { activations } from '../nets/two-layer-net.js';
import type { WeightInit } from '../nets/weight-init.js';
import { type OptimizerName, optimizerNames } from '../optim/optimizers.js';
import type { DType } from '../tensor/tensor.js';

/** MNIST's sizes, which bound a run's subsets. */
export const TRAIN_IMAGES = 60000;
export const TEST_IMAGES = 10000;
/** The most units a hidden layer may have, the most updates a run may make, the largest seed (the Rng's 32 bits). */
export const MAX_HIDDEN = 100000;
export const MAX_ITERATIONS = 10_000_000;
export const MAX_SEED = 2 ** 32 - 1;

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
 * The forward multiply-adds of a whole run: every update's batch and every epoch's evaluation of
 * the training and test images (the backward passes add about twice the updates' share).
 *
 * @example
 * runMultiplyAdds(config); // ≈ 8.7·10^10 for `npm start`'s run
 */
export function runMultiplyAdds(config: RunConfig): number {
  const perExample = multiplyAddsPerExample(config.net, [1, 28, 28], 10);
  const epochs = Math.ceil(config.iters / updatesPerEpoch(config));
  const evaluated = Math.min(config.trainEval, config.trainSize) + config.testSize;
  return perExample * (config.iters * config.batchSize + epochs * evaluated);
}

/**
 * Reads a run's configuration from JSON (a checkpoint's), checking every field as strictly as the
 * command line checks its flags: a field that is missing, wrong or out of its bounds, or a network
 * whose fields do not go together, is one InputError naming it and what was expected.
 *
 * @example
 * const config = runConfigFromJSON(JSON.parse(text), 'ck/checkpoint.safetensors: config');
 */
export function runConfigFromJSON(value: unknown, path = 'config'): RunConfig {
  const c = new JsonFields(value, path);
  c.only(['net', 'optimizer', 'lr', 'iters', 'batchSize', 'seed', 'dtype', 'backend', 'trainSize', 'testSize', 'trainEval']);
  const n = new JsonFields(c.get('net'), `${path}.net`);
  n.only(['net', 'hidden', 'activation', 'init', 'weightDecay', 'dropout', 'batchNorm']);
  const whole = (max: number) => ({ whole: true, min: 1, max });
  const init = n.get('init');
  if (init !== 'he' && init !== 'xavier' && !(typeof init === 'number' && init > 0 && Number.isFinite(init)))
    throw new InputError(`${path}.net.init is ${describe(init)}, expected he, xavier or a positive standard deviation`);
  const net: NetConfig = {
    net: n.choice('net', netNames),
    hidden: n.numbers('hidden', whole(MAX_HIDDEN)),
    activation: n.choice('activation', activations),
    init: init as WeightInit,
    weightDecay: n.number('weightDecay', { min: 0 }),
    ...(n.has('dropout') ? { dropout: n.number('dropout', { min: Number.MIN_VALUE, below: 1 }) } : {}),
    ...(n.has('batchNorm') ? { batchNorm: n.get('batchNorm') === true } : {}),
  };
  const one = net.net === 'two-layer' || isConvNet(net.net);
  if (one && net.hidden.length !== 1)
    throw new InputError(`${path}.net.hidden has ${net.hidden.length} sizes, but ${net.net} has one hidden layer`);
  if (isConvNet(net.net) && net.activation !== 'relu')
    throw new InputError(`${path}.net.activation is ${net.activation}, but ${net.net} uses relu (as the book)`);
  if (net.net !== 'multi-layer-extend' && net.net !== 'deep-conv' && net.dropout !== undefined)
    throw new InputError(`${path}.net has dropout, which only multi-layer-extend and deep-conv take`);
  if (net.net !== 'multi-layer-extend' && net.batchNorm)
    throw new InputError(`${path}.net has batchNorm, which only multi-layer-extend takes`);
  const parameters = parameterCount(net, [1, 28, 28], 10);
  if (parameters > MAX_PARAMETERS)
    throw new InputError(`${path}.net makes a network of ${parameters} parameters, more than the ${MAX_PARAMETERS} (2^24) a run may train`);
  const trainSize = c.number('trainSize', whole(TRAIN_IMAGES));
  const batchSize = c.number('batchSize', whole(trainSize));
  return {
    net,
    optimizer: c.choice('optimizer', optimizerNames),
    lr: c.number('lr', { min: Number.MIN_VALUE }),
    iters: c.number('iters', whole(MAX_ITERATIONS)),
    batchSize,
    seed: c.number('seed', { whole: true, min: 0, max: MAX_SEED }),
    dtype: c.choice('dtype', ['float64', 'float32'] as const),
    backend: c.choice('backend', ['js', 'wasm'] as const),
    trainSize,
    testSize: c.number('testSize', whole(TEST_IMAGES)),
    trainEval: c.number('trainEval', whole(TRAIN_IMAGES)),
  };
}
