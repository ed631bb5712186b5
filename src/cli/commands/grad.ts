import { dataFromJSON } from '../../io/model-json.js';
import { readJsonFile } from '../../io/node/files.js';
import { readModel } from '../../io/node/model-files.js';
import type { ParamDict } from '../../nets/sequential.js';
import { parseFlags, positionals, stringFlag, UsageError } from '../args.js';

export const gradHelp = `Usage: scratchnet grad MODEL.json --data DATA.json

Runs one forward and one backward pass in float64 and prints
{"loss", "y": softmax rows, "dx": gradient of the input, "grads": one entry per layer}.

  MODEL.json   {"layers": [{"type": "Affine", "W": [[…]], "b": […]}, {"type": "Sigmoid"}, …,
                {"type": "SoftmaxWithLoss"}]}   (W is inputs × outputs, used as x·W + b)
  --data FILE  {"x": [[…]], "t": [[…]]}   (t: one-hot rows or a list of class indices)`;

export function gradCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('grad', argv, { data: { type: 'string' } });
  if (values.help) return void console.log(gradHelp);
  const [modelPath] = positionals('grad', rest, ['MODEL.json']);
  if (stringFlag('data', values.data) === undefined)
    throw new UsageError('grad: --data DATA.json is required (see scratchnet grad --help)');
  const net = readModel(modelPath);
  const { x, t } = dataFromJSON(readJsonFile(values.data as string), net);
  net.gradient(x, t, { train: false, inputGradient: true });
  const grads = net.layers.map((layer) => {
    const entry: Record<string, unknown> = {};
    for (const [name, grad] of Object.entries(layer.grads as ParamDict)) entry[name] = grad.toArray();
    return entry;
  });
  grads.push({}); // the loss layer has no parameters
  console.log(JSON.stringify({ loss: net.lastLoss, y: net.lastLayer.y?.toArray(), dx: net.lastInputGradient?.toArray(), grads }));
}
