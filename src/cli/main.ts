#!/usr/bin/env node
import { ScratchnetError } from '../errors.js';
import { fileError } from '../io/node/files.js';
import { DivergenceError } from '../train/trainer.js';
import { UsageError } from './args.js';
import { checkCommand } from './commands/check.js';
import { compareBatchNormCommand } from './commands/compare-batch-norm.js';
import { compareOptimizersCommand } from './commands/compare-optimizers.js';
import { convertCommand } from './commands/convert.js';
import { evaluateCommand } from './commands/evaluate.js';
import { exampleCommand } from './commands/example.js';
import { explainCommand } from './commands/explain.js';
import { gradCommand } from './commands/grad.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { layersCommand } from './commands/layers.js';
import { exportCommand, importCommand } from './commands/onnx.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';

const usage = `Usage: scratchnet <command> [flags]   (scratchnet <command> --help for its flags)

Commands:
  train       train one of the book's networks on MNIST (npm start: the TwoLayerNet)
  example     the book-style worked example: every forward and backward value, one SGD step
  explain     every number of a forward and backward pass of any model, in English or Korean
  check       check a hand computation step by step: ✓ ok, ↪ carried, ✗ wrong with its likely cause
  grad        loss, softmax output and every gradient of a model JSON on a data JSON
  gradcheck   backprop against numerical gradients on MNIST (the book's ch05 check)
  predict     the class probabilities a model gives an MNIST image or a PNG digit
  evaluate    a model's accuracy on the 10,000 MNIST test images
  convert     a model from .json to .safetensors or back
  export      a model as ONNX (--onnx OUT.onnx), to run in onnxruntime
  import      an ONNX MLP (e.g. from PyTorch) as a scratchnet model
  layers      every layer type a model may hold, its JSON by example and what it supports
  compare-optimizers   SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam on MNIST (the book's ch06)
  compare-batch-norm   MultiLayerNetExtend with and without batch norm at several init scales (ch06)`;

const commands: Record<string, (argv: string[]) => void | Promise<void>> = {
  train: trainCommand,
  example: exampleCommand,
  check: checkCommand,
  explain: explainCommand,
  grad: gradCommand,
  gradcheck: gradcheckCommand,
  predict: predictCommand,
  evaluate: evaluateCommand,
  convert: convertCommand,
  export: exportCommand,
  import: importCommand,
  layers: layersCommand,
  'compare-optimizers': compareOptimizersCommand,
  'compare-batch-norm': compareBatchNormCommand,
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return void console.log(usage);
  if (!Object.hasOwn(commands, command))
    throw new UsageError(`unknown command ${JSON.stringify(command)}, expected one of ${Object.keys(commands).join(', ')}`);
  await commands[command](rest);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof DivergenceError) {
    // Training went to NaN or ∞: one line naming the iteration and the layer, its own exit status.
    process.stderr.write(`scratchnet: ${error.message}\n`);
    process.exitCode = 3;
  } else if (error instanceof ScratchnetError) {
    // A problem with what the user gave: one line, no stack trace.
    process.stderr.write(`scratchnet: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = 2;
  } else if (isFileSystemError(error)) {
    // A file or folder the command could not use, wherever the call was: one line too.
    process.stderr.write(`scratchnet: ${fileError(error, error.syscall ?? 'use', error.path ?? error.dest ?? 'a file').message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`scratchnet: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

/** An error of a file-system call (it carries an errno code and the call's name). */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { dest?: string } {
  const e = error as NodeJS.ErrnoException;
  return e instanceof Error && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === 'string';
}
