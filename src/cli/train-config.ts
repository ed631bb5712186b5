import { isConvNet, MAX_PARAMETERS, type NetConfig, netDefaults, netNames, parameterCount } from '../nets/by-name.js';
import { activations } from '../nets/two-layer-net.js';
import { parseWeightInit } from '../nets/weight-init.js';
import { defaultLearningRates, type OptimizerName, optimizerNames } from '../optim/optimizers.js';
import { MAX_HIDDEN, MAX_ITERATIONS, MAX_SEED, type RunConfig, TEST_IMAGES, TRAIN_IMAGES, updatesPerEpoch } from '../train/run-config.js';
import {
  choiceFlag,
  type FlagSpec,
  intFlag,
  intListFlag,
  nonNegativeFlag,
  type ParsedFlags,
  positiveFlag,
  stringFlag,
  UsageError,
} from './args.js';

/** The flags of `train` that say what is trained: together, a {@link RunConfig}. */
export const RUN_CONFIG_FLAGS: FlagSpec = {
  net: { type: 'string' },
  iters: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  hidden: { type: 'string' },
  activation: { type: 'string' },
  init: { type: 'string' },
  'weight-decay': { type: 'string' },
  dropout: { type: 'string' },
  'batch-norm': { type: 'boolean' },
  'train-eval': { type: 'string' },
  seed: { type: 'string' },
  dtype: { type: 'string' },
  backend: { type: 'string' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
};

/**
 * The run the flags describe, with the book's defaults for what they leave out, every flag checked
 * and checked against the others (a UsageError names the flag and what it expects).
 *
 * @example
 * configFromFlags({ net: 'simple-conv', epochs: '1' }); // Adam lr 0.001, 600 iterations, …
 */
export function configFromFlags(values: ParsedFlags['values']): RunConfig {
  if (values.iters !== undefined && values.epochs !== undefined) throw new UsageError('train: give --iters or --epochs, not both');
  const net = netConfig(values);
  const batchSize = intFlag('batch-size', values['batch-size'], 100, 1, TRAIN_IMAGES);
  const optimizer = choiceFlag<OptimizerName>('optimizer', values.optimizer, optimizerNames, isConvNet(net.net) ? 'adam' : 'sgd');
  const trainSize = intFlag('train-size', values['train-size'], TRAIN_IMAGES, 1, TRAIN_IMAGES);
  const perEpoch = updatesPerEpoch({ trainSize, batchSize });
  const parameters = parameterCount(net, [1, 28, 28], 10);
  if (parameters > MAX_PARAMETERS)
    throw new UsageError(
      `train: --hidden ${net.hidden.join(',')} makes a network of ${parameters.toLocaleString('en')} parameters, more than the ${MAX_PARAMETERS.toLocaleString('en')} (2^24) a run may train (its model.json could not be written)`,
    );
  return {
    net,
    optimizer,
    lr: positiveFlag('lr', values.lr, optimizer === 'sgd' ? 0.1 : defaultLearningRates[optimizer]),
    iters:
      values.epochs !== undefined
        ? intFlag('epochs', values.epochs, 1, 1, Math.floor(MAX_ITERATIONS / perEpoch)) * perEpoch
        : intFlag('iters', values.iters, 10000, 1, MAX_ITERATIONS),
    // a batch is at most the training set, and says so
    batchSize: Math.min(batchSize, trainSize),
    seed: intFlag('seed', values.seed, 0, 0, MAX_SEED),
    dtype: choiceFlag('dtype', values.dtype, ['float32', 'float64'] as const, 'float32'),
    backend: choiceFlag('backend', values.backend, ['wasm', 'js'] as const, 'wasm'),
    trainSize,
    testSize: intFlag('test-size', values['test-size'], TEST_IMAGES, 1, TEST_IMAGES),
    trainEval: intFlag('train-eval', values['train-eval'], isConvNet(net.net) ? 10000 : TRAIN_IMAGES, 1, TRAIN_IMAGES),
  };
}

/** The network flags, checked against each other. */
function netConfig(values: ParsedFlags['values']): NetConfig {
  const net = choiceFlag('net', values.net, netNames, 'two-layer');
  const defaults = netDefaults[net];
  const hidden = intListFlag('hidden', values.hidden, defaults.hidden, 1, MAX_HIDDEN);
  if ((net === 'two-layer' || isConvNet(net)) && hidden.length !== 1) {
    throw new UsageError(`train: --hidden is ${hidden.join(',')}, but ${net} has one hidden layer: expected one size`);
  }
  const activation = choiceFlag('activation', values.activation, activations, 'relu');
  if (isConvNet(net) && activation !== 'relu')
    throw new UsageError(`train: --activation is ${activation}, but ${net} uses relu (as the book)`);
  let init = defaults.init;
  const initFlag = stringFlag('init', values.init);
  if (initFlag !== undefined) {
    const parsed = parseWeightInit(initFlag);
    if (parsed === undefined)
      throw new UsageError(`--init is ${JSON.stringify(initFlag)}, expected he, xavier or a positive standard deviation`);
    init = parsed;
  }
  const weightDecay = nonNegativeFlag('weight-decay', values['weight-decay'], 0);
  let dropout: number | undefined;
  if (values.dropout !== undefined) {
    dropout = positiveFlag('dropout', values.dropout, 0.5);
    if (dropout >= 1) throw new UsageError(`--dropout is ${JSON.stringify(values.dropout)}, expected a ratio between 0 and 1`);
  }
  const batchNorm = values['batch-norm'] === true;
  if (net !== 'multi-layer-extend' && net !== 'deep-conv' && dropout !== undefined)
    throw new UsageError(`train: --dropout needs --net multi-layer-extend or deep-conv (got --net ${net})`);
  if (net !== 'multi-layer-extend' && batchNorm)
    throw new UsageError(`train: --batch-norm needs --net multi-layer-extend (got --net ${net})`);
  // deep-conv's two Dropout layers: the book's 0.5 unless --dropout says otherwise
  if (net === 'deep-conv') dropout ??= 0.5;
  return { net, hidden, activation, init, weightDecay, ...(dropout !== undefined ? { dropout } : {}), ...(batchNorm ? { batchNorm } : {}) };
}
