import { formatOfPath, readModelJSON, writeModel } from '../../io/node/model-files.js';
import { choiceFlag, parseFlags, positionals, stringFlag, UsageError } from '../args.js';

export const convertHelp = `Usage: scratchnet convert MODEL --out FILE [--dtype float64|float32]

Writes a model in the other form: MODEL (.json or .safetensors, told apart by content) goes to
FILE as the form its extension names, .json or .safetensors. The file is written atomically (a
temporary file renamed into place), so it is never seen half-written.

  --dtype   element type of the safetensors tensors (default float64, which keeps every bit)`;

export function convertCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('convert', argv, { out: { type: 'string' }, dtype: { type: 'string' } });
  if (values.help) return void console.log(convertHelp);
  const [modelPath] = positionals('convert', rest, ['MODEL']);
  const out = stringFlag('out', values.out);
  if (out === undefined) throw new UsageError('convert: --out FILE is required (see scratchnet convert --help)');
  const dtype = choiceFlag('dtype', values.dtype, ['float64', 'float32'] as const, 'float64');
  const format = formatOfPath(out);
  if (dtype === 'float32' && format === 'json') throw new UsageError('convert: --dtype float32 applies to .safetensors output only');
  const { json, format: from } = readModelJSON(modelPath);
  writeModel(out, json, dtype);
  console.log(`${modelPath} (${from}) → ${out} (${format}${format === 'safetensors' ? `, ${dtype}` : ''})`);
}
