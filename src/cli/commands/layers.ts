import { layerTypes } from '../../layers/registry.js';
import { parseFlags, positionals } from '../args.js';

export const layersHelp = `Usage: scratchnet layers [--json]

Lists every layer type a model may hold: its JSON form by example (the model JSON's layers, as
grad, explain, check and the other commands read them), the letter explain names its output with,
whether check recomputes its steps, and its ONNX operators (export → / ← import).

  --json   the same as data: [{"type", "example", "output", "checked", "onnx": {"export", "import"}}]`;

/** `layers`: what the registry holds, one line a type. */
export function layersCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('layers', argv, { json: { type: 'boolean' } });
  if (values.help) return void console.log(layersHelp);
  positionals('layers', rest, []);
  const rows = [...layerTypes.values()].map((type) => ({
    type: type.type,
    example: type.example.json,
    output: type.steps.output,
    checked: [...type.steps.forward, ...type.steps.backward].every((s) => s.kind.compute !== undefined),
    onnx: { export: type.onnx?.export !== undefined, import: Object.keys(type.onnx?.import ?? {}) },
  }));
  if (values.json) return void console.log(JSON.stringify(rows, null, 2));
  for (const r of rows) {
    const onnx = [r.onnx.export ? 'export' : '', r.onnx.import.length ? `import ${r.onnx.import.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    const output = layerTypes.get(r.type)?.loss ? `${r.output} (the loss layer, last)` : `${r.output}1, ${r.output}2, …`;
    console.log(
      `${r.type}\n  ${JSON.stringify(r.example)}\n  explain: ${output}; check: ${r.checked ? 'recomputes its steps' : 'shows its steps'}; ONNX: ${onnx || 'none'}`,
    );
  }
}
