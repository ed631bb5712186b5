import { formatShape, InputError } from '../../errors.js';
import { layerTypes } from '../../layers/registry.js';
import type { ModelJSON } from '../../nets/sequential.js';
import type { Constant, ImportChain, OnnxNode as OnnxNodeView } from '../onnx-graph.js';
import { printable, quote } from '../printable.js';
import {
  ATTR,
  int64,
  ONNX_DOUBLE,
  ONNX_FLOAT,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  onnxModelProto,
} from './onnx-proto.js';

/** The operators import reads besides the layers' own: no-ops at inference, constants, a final Softmax. */
const GRAPH_OPERATORS = ['Softmax', 'Flatten', 'Identity', 'Dropout', 'Constant'];
/**
 * The versions of the ONNX operator set whose operators import reads as they are written here: from 7
 * (Gemm's broadcast bias) to 21. Softmax's axis, which opset 13 changed, is checked to be the class
 * axis in either reading.
 */
export const IMPORTED_OPSETS = { from: 7, to: 21 } as const;

/** Operators whose data input may come second (the other being a constant). */
const COMMUTATIVE = new Set(['Add', 'Mul']);

/** Each operator a layer type imports, with the importer (the layer's `onnx.import`). */
function layerImporters(): Map<string, (node: OnnxNodeView, chain: ImportChain) => void> {
  const importers = new Map<string, (node: OnnxNodeView, chain: ImportChain) => void>();
  for (const type of layerTypes.values()) for (const [op, read] of Object.entries(type.onnx?.import ?? {})) importers.set(op, read);
  return importers;
}

/** The operators import understands, the layers' first; anything else is named in one error. */
export const IMPORTED_OPERATORS: readonly string[] = [...layerImporters().keys(), ...GRAPH_OPERATORS];

/**
 * Reads an ONNX model that is a chain of layers scratchnet has — each operator turned into a layer
 * by the layer type that imports it (Gemm, or MatMul followed by Add, into an Affine; Sigmoid, Relu,
 * Tanh) — with Flatten, Identity and Dropout as no-ops at inference and a final Softmax, as
 * scratchnet's model JSON ending in SoftmaxWithLoss. Without a final Softmax the graph's output is
 * taken as the scores before it (as PyTorch's `nn.Linear` stacks give). Malformed protobuf,
 * external data, unsupported operators (all named at once) and graphs that are not a single chain
 * are {@link InputError}s naming `name`.
 *
 * @example
 * const json = modelFromOnnx(readBytes('mlp.onnx'), 'mlp.onnx'); // { layers: [Affine, Relu, Affine, SoftmaxWithLoss] }
 */
export function modelFromOnnx(bytes: Uint8Array, name = 'ONNX file'): ModelJSON {
  let model: OnnxModel;
  try {
    model = onnxModelProto().decode(bytes) as unknown as OnnxModel;
  } catch (error) {
    throw new InputError(`${name} is not an ONNX model: ${printable((error as Error).message.split('\n')[0])}`);
  }
  const graph = model.graph;
  const nodes = graph?.node ?? [];
  if (!graph || nodes.length === 0) throw new InputError(`${name} is not an ONNX model with a graph, expected a ModelProto with nodes`);
  checkOpset(model, name);
  const importers = layerImporters();
  const unsupported = [...new Set(nodes.map(opName).filter((op) => !IMPORTED_OPERATORS.includes(op)))];
  if (unsupported.length > 0)
    throw new InputError(
      `${name} uses ${unsupported.map(quoted).join(', ')}, which scratchnet cannot import; it imports ${IMPORTED_OPERATORS.join(', ')}`,
    );

  const constants = new Map<string, Constant>();
  for (const tensor of graph.initializer ?? [])
    constants.set(tensor.name ?? '', readTensor(tensor, `${name}: initializer ${quote(tensor.name ?? '')}`));
  const inputs = (graph.input ?? []).map((v) => v.name ?? '').filter((n) => !constants.has(n));
  if (inputs.length !== 1) throw new InputError(`${name}: the graph has ${inputs.length} inputs besides its weights, expected 1`);
  if (graph.output?.length !== 1) throw new InputError(`${name}: the graph has ${graph.output?.length ?? 0} outputs, expected 1`);
  const output = graph.output[0].name ?? '';

  const chain: ImportChain = { layers: [], pending: undefined };
  let current = inputs[0];
  nodes.forEach((node, i) => {
    const op = opName(node);
    const path = `${name}: node ${i} (${quoted(op)}${node.name ? ` ${quote(node.name)}` : ''})`;
    if (op === 'Constant') {
      if (!node.output?.[0]) throw new InputError(`${path} has no output`);
      constants.set(node.output[0], constantValue(node, path));
      return;
    }
    const ins = [...(node.input ?? [])];
    // the chain's value first: an Add may have its constant first
    if (COMMUTATIVE.has(op) && constants.has(ins[0] ?? '') && ins.length > 1) ins.push(...ins.splice(0, 1));
    if (ins[0] !== current)
      throw new InputError(`${path} reads ${quote(ins[0] ?? '')}, expected ${quote(current)}: import takes a single chain of layers`);
    const out = node.output?.[0];
    if (!out) throw new InputError(`${path} has no output`);
    const left = chain.pending;
    const read = importers.get(op);
    if (read) {
      read(nodeView(node, ins, path, constants), chain);
    } else if (op === 'Softmax') {
      if (out !== output || i !== nodes.length - 1) throw new InputError(`${path} is not the last node, expected Softmax only at the end`);
      const axis = intAttr(node, 'axis', -1);
      if (axis !== 1 && axis !== -1) throw new InputError(`${path} has axis ${axis}, expected the class axis (1 or -1)`);
    } else if (op === 'Flatten') {
      if (intAttr(node, 'axis', 1) !== 1)
        throw new InputError(`${path} has axis ${intAttr(node, 'axis', 1)}, expected 1 (keep the batch axis)`);
    }
    // Identity and Dropout (an identity at inference) add nothing.
    // what a node leaves for the next (a MatMul's bias to come) is for that next node only
    if (chain.pending === left) chain.pending = undefined;
    current = out;
  });
  if (current !== output) throw new InputError(`${name}: the chain ends at ${quote(current)} but the graph outputs ${quote(output)}`);
  chain.layers.push({ type: 'SoftmaxWithLoss' });
  return { layers: chain.layers };
}

/** A node as a layer's importer reads it: its inputs (the chain's value first), its attributes, the graph's constants. */
function nodeView(node: OnnxNode, inputs: string[], path: string, constants: Map<string, Constant>): OnnxNodeView {
  return {
    op: opName(node),
    path,
    inputs,
    int: (key, fallback) => intAttr(node, key, fallback),
    float: (key, fallback) => floatAttr(node, key, fallback),
    constant: (key, what) => constant(constants, key, path, what),
  };
}

/** The operator set of the ONNX operators the model declares, which import must read as written. */
function checkOpset(model: OnnxModel, name: string): void {
  const own = (model.opset_import ?? []).filter((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  const { from, to } = IMPORTED_OPSETS;
  if (own.length === 0) throw new InputError(`${name} declares no opset of the ONNX operators, expected one from ${from} to ${to}`);
  const version = int64(own[0].version);
  if (version < from || version > to) throw new InputError(`${name} uses ONNX opset ${version}, expected one from ${from} to ${to}`);
}

/**
 * A Constant node's value, as the spec writes it: the tensor attribute `value`, or `value_float` /
 * `value_floats` (a scalar, a list).
 */
function constantValue(node: OnnxNode, path: string): Constant {
  const tensor = attribute(node, 'value');
  if (tensor?.t) return readTensor(tensor.t, path);
  const scalar = attribute(node, 'value_float');
  if (scalar) return { dims: [], data: finite(Float64Array.of(scalar.f ?? 0), path) };
  const list = attribute(node, 'value_floats');
  if (list) return { dims: [list.floats?.length ?? 0], data: finite(Float64Array.from(list.floats ?? []), path) };
  throw new InputError(`${path} has no value, expected a tensor "value" (or value_float, value_floats)`);
}

function finite(data: Float64Array, path: string): Float64Array {
  if (!data.every(Number.isFinite)) throw new InputError(`${path} holds a value that is not a finite number`);
  return data;
}

/** An operator name as it goes into a message: plain when it is a plain name, else quoted and escaped. */
function quoted(op: string): string {
  return /^[\w.:-]{1,40}$/.test(op) ? op : quote(op);
}

function opName(node: OnnxNode): string {
  const domain = node.domain ?? '';
  const op = node.op_type ?? '';
  return domain === '' || domain === 'ai.onnx' ? op : `${domain}:${op}`;
}

function attribute(node: OnnxNode, key: string): OnnxAttribute | undefined {
  return node.attribute?.find((a) => a.name === key);
}

function intAttr(node: OnnxNode, key: string, fallback: number): number {
  const a = attribute(node, key);
  if (!a) return fallback;
  if (a.type !== undefined && a.type !== ATTR.INT)
    throw new InputError(`node ${quote(node.name ?? '')}: attribute ${key} is not an integer`);
  return int64(a.i);
}

function floatAttr(node: OnnxNode, key: string, fallback: number): number {
  const a = attribute(node, key);
  if (!a) return fallback;
  if (a.type !== undefined && a.type !== ATTR.FLOAT)
    throw new InputError(`node ${quote(node.name ?? '')}: attribute ${key} is not a float`);
  return a.f ?? 0;
}

function constant(constants: Map<string, Constant>, key: string | undefined, path: string, what: string): Constant {
  const value = constants.get(key ?? '');
  if (!value) throw new InputError(`${path}: ${what} ${quote(key ?? '')} is not a constant of the graph, expected a weight`);
  if (value.data.length === 0)
    throw new InputError(`${path}: ${what} ${quote(key ?? '')} is ${formatShape(value.dims)}, expected a non-empty weight`);
  return value;
}

/** A float or double tensor's values, its byte count checked against its shape before anything is allocated. */
function readTensor(tensor: OnnxTensor, path: string): Constant {
  if (tensor.data_location === 1) throw new InputError(`${path} keeps its data in an external file, expected it inside the model`);
  const dims = (tensor.dims ?? []).map(int64);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new InputError(`${path} has dims ${dims.join('×')}, expected whole numbers ≥ 0`);
  const size = dims.reduce((a, d) => a * d, 1);
  const type = tensor.data_type;
  if (type !== ONNX_FLOAT && type !== ONNX_DOUBLE) throw new InputError(`${path} has data type ${type}, expected float (1) or double (11)`);
  const width = type === ONNX_FLOAT ? 4 : 8;
  const raw = tensor.raw_data;
  const listed = type === ONNX_FLOAT ? tensor.float_data : tensor.double_data;
  const count = raw?.length ? raw.length / width : (listed?.length ?? 0);
  if (count !== size) throw new InputError(`${path} is ${formatShape(dims)} (${size} values) but holds ${count}, expected the same`);
  const data = new Float64Array(size);
  if (raw?.length) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < size; i++) data[i] = width === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
  } else if (listed) data.set(listed);
  if (!data.every(Number.isFinite)) throw new InputError(`${path} holds a value that is not a finite number`);
  return { dims, data };
}
