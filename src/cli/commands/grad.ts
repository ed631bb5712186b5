import { dataFromJSON } from '../../io/data-json.js';
import { readJsonFile } from '../../io/node/files.js';
import { readModel } from '../../io/node/model-files.js';
import { layerTypes } from '../../layers/registry.js';
import type { ParamDict } from '../../nets/sequential.js';
import { Rng } from '../../tensor/rng.js';
import { intFlag, parseFlags, positionals, stringFlag, UsageError } from '../args.js';

export const gradHelp = `Usage: scratchnet grad MODEL.json --data DATA.json [--train] [--seed N]

Runs one forward and one backward pass in float64 and prints
{"loss", "y": softmax rows, "dx": gradient of the input, "grads": one entry per layer
(e.g. {"W", "b"} for Affine and Convolution, {"gamma", "beta"} for BatchNormalization, {} else)}.

  MODEL.json   {"layers": [{"type": "Affine", "W": [[…]], "b": […]}, {"type": "Sigmoid"}, …,
                {"type": "SoftmaxWithLoss"}]}   (W is inputs × outputs, used as x·W + b)
               Layer types: ${[...layerTypes.keys()].join(', ')}
               (scratchnet layers shows each one's JSON by example)
  --data FILE  {"x": [[…]], "t": [[…]]}   (t: one-hot rows or a list of class indices;
               x is N×C×H×W for a model that starts with a Convolution)
  --train      training behaviour: BatchNormalization uses the batch's statistics (else the
               running ones) and Dropout draws a mask (else it scales by 1 − ratio, as inference)
  --seed N     seeds the Dropout masks of --train (default 0)`;

export function gradCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('grad', argv, {
    data: { type: 'string' },
    train: { type: 'boolean' },
    seed: { type: 'string' },
  });
  if (values.help) return void console.log(gradHelp);
  const [modelPath] = positionals('grad', rest, ['MODEL.json']);
  if (stringFlag('data', values.data) === undefined)
    throw new UsageError('grad: --data DATA.json is required (see scratchnet grad --help)');
  const seed = intFlag('seed', values.seed, 0, 0);
  const net = readModel(modelPath, 'float64', { rng: new Rng(seed) });
  const { x, t } = dataFromJSON(readJsonFile(values.data as string), net);
  net.gradient(x, t, { train: values.train === true, inputGradient: true });
  net.checkFinite(x, [net.lastLoss]);
  const grads = net.layers.map((layer) => {
    const entry: Record<string, unknown> = {};
    for (const [name, grad] of Object.entries(layer.grads as ParamDict)) entry[name] = grad.toArray();
    return entry;
  });
  grads.push({}); // the loss layer has no parameters
  console.log(JSON.stringify({ loss: net.lastLoss, y: net.lastLayer.y?.toArray(), dx: net.lastInputGradient?.toArray(), grads }));
}
