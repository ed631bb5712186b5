import { modelFromJSON } from '../../io/model-json.js';
import { readBytes, writeFileAtomic } from '../../io/node/files.js';
import { readModelJSON, writeModel } from '../../io/node/model-files.js';
import { exportedTypes, modelToOnnx, ONNX_OPSET } from '../../io/node/onnx-export.js';
import { IMPORTED_OPERATORS, modelFromOnnx } from '../../io/node/onnx-import.js';
import { parseFlags, positionals, stringFlag, UsageError } from '../args.js';

export const exportHelp = `Usage: scratchnet export MODEL --onnx OUT.onnx

Writes MODEL (.json or .safetensors) as an ONNX model (opset ${ONNX_OPSET}, float32) that runs in
onnxruntime and other ONNX runtimes: input "input" (N×features, or N×C×H×W for a model that
starts with a Convolution), output "probabilities" (N×classes, the softmax of the scores). Each
layer writes its own nodes (Affine → Gemm, Convolution → Conv, Pooling → MaxPool,
BatchNormalization → Mul + Add per feature, SoftmaxWithLoss → Softmax, …). The layer types it
exports: ${exportedTypes().join(', ')}; others are refused by name.`;

export const importHelp = `Usage: scratchnet import MODEL.onnx --out MODEL.json|MODEL.safetensors

Reads an ONNX model that is a chain of layers scratchnet has — ${IMPORTED_OPERATORS.join(', ')} —
such as PyTorch's export of nn.Sequential(nn.Linear, nn.ReLU, …), and writes it as scratchnet's
model (the form --out's extension names). A final Softmax becomes SoftmaxWithLoss; without one,
the graph's output is taken as the scores. Other operators are named in one error.`;

export function exportCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('export', argv, { onnx: { type: 'string' } });
  if (values.help) return void console.log(exportHelp);
  const [modelPath] = positionals('export', rest, ['MODEL']);
  const out = stringFlag('onnx', values.onnx);
  if (out === undefined) throw new UsageError('export: --onnx OUT.onnx is required (see scratchnet export --help)');
  const bytes = modelToOnnx(readModelJSON(modelPath).json);
  writeFileAtomic(out, bytes);
  console.log(`${modelPath} → ${out} (ONNX opset ${ONNX_OPSET}, ${bytes.length} bytes)`);
}

export function importCommand(argv: string[]): void {
  const { values, positionals: rest } = parseFlags('import', argv, { out: { type: 'string' } });
  if (values.help) return void console.log(importHelp);
  const [onnxPath] = positionals('import', rest, ['MODEL.onnx']);
  const out = stringFlag('out', values.out);
  if (out === undefined) throw new UsageError('import: --out MODEL.json is required (see scratchnet import --help)');
  const json = modelFromOnnx(readBytes(onnxPath), onnxPath);
  const net = modelFromJSON(json);
  writeModel(out, json);
  console.log(`${onnxPath} → ${out} (${net.layers.map((l) => l.type).join(' → ')} → SoftmaxWithLoss)`);
}
