import { exampleToJSON } from '../../explain/explain.js';
import { seedExplanation } from '../../explain/seed-example.js';
import { parseFlags, positionals } from '../args.js';
import { RENDER_FLAGS, render, renderOptions } from './explain.js';

export const exampleHelp = `Usage: scratchnet example [--json] [--lang en|ko] [--format text|markdown|json] [--precision 4]

Works the book-style example by hand, as a learner's note does: Affine → Sigmoid → Affine →
SoftmaxWithLoss on x = (1.0, 2.0), t = (1, 0); every forward and backward value, then one SGD
step (lr 0.1) and the loss after it.

  --json          print {"steps": {...}, "update": {...}} (same as --format json)
  --lang L        en (default) or ko, in the words of a Korean learner's note
  --format F      text (default), markdown ($$…$$ math), json
  --precision N   decimals shown (default 4)`;

export function exampleCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('example', argv, { ...RENDER_FLAGS, json: { type: 'boolean' } });
  if (values.help) return void console.log(exampleHelp);
  positionals('example', rest, []);
  const options = renderOptions(values);
  if (values.json) options.format = 'json';
  process.stdout.write(render(seedExplanation(), options, exampleToJSON));
}
