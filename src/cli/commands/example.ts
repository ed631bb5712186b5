import { exampleToJSON, exampleToText, workExample } from '../../explain/worked-example.js';
import { parseFlags, positionals } from '../args.js';

export const exampleHelp = `Usage: scratchnet example [--json]

Works the seed's example by hand, as the note does: Affine → Sigmoid → Affine → SoftmaxWithLoss
on x = (1.0, 2.0), t = (1, 0); every forward and backward value, then one SGD step (lr 0.1)
and the loss after it.

  --json   print {"steps": {...}, "update": {...}} instead of text`;

export function exampleCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('example', argv, { json: { type: 'boolean' } });
  if (values.help) return void console.log(exampleHelp);
  positionals('example', rest, []);
  const example = workExample();
  if (values.json) console.log(JSON.stringify(exampleToJSON(example), null, 2));
  else process.stdout.write(exampleToText(example));
}
