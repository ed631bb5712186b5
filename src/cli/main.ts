#!/usr/bin/env node
import { ScratchnetError } from '../errors.js';
import { UsageError } from './args.js';
import { compareBatchNormCommand } from './commands/compare-batch-norm.js';
import { compareOptimizersCommand } from './commands/compare-optimizers.js';
import { exampleCommand } from './commands/example.js';
import { gradCommand } from './commands/grad.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { trainCommand } from './commands/train.js';

const usage = `Usage: scratchnet <command> [flags]   (scratchnet <command> --help for its flags)

Commands:
  train       train one of the book's networks on MNIST (npm start: the TwoLayerNet)
  example     the seed's worked example: every forward and backward value, one SGD step
  grad        loss, softmax output and every gradient of a model JSON on a data JSON
  gradcheck   backprop against numerical gradients on MNIST (the book's ch05 check)
  compare-optimizers   SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam on MNIST (the book's ch06)
  compare-batch-norm   MultiLayerNetExtend with and without batch norm at several init scales (ch06)`;

const commands: Record<string, (argv: string[]) => void> = {
  train: trainCommand,
  example: exampleCommand,
  grad: gradCommand,
  gradcheck: gradcheckCommand,
  'compare-optimizers': compareOptimizersCommand,
  'compare-batch-norm': compareBatchNormCommand,
};

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return void console.log(usage);
  if (!Object.hasOwn(commands, command))
    throw new UsageError(`unknown command ${JSON.stringify(command)}, expected one of ${Object.keys(commands).join(', ')}`);
  commands[command](rest);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ScratchnetError) {
    // A problem with what the user gave: one line, no stack trace.
    process.stderr.write(`scratchnet: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`scratchnet: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
