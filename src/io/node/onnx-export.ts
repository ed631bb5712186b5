import { describe, InputError } from '../../errors.js';
import type { LayerJSON } from '../../layers/layer.js';
import type { ModelJSON } from '../../nets/sequential.js';
import { ATTR, ModelProto, ONNX_FLOAT } from './onnx-proto.js';

/** The ONNX operator set the exported graphs use (onnxruntime runs 7 and later). */
export const ONNX_OPSET = 13;
/** The IR version that goes with opset 13. */
export const ONNX_IR_VERSION = 7;

/** Where the graph is: the value the next layer reads, and whether it is N×features or N×C×H×W. */
interface Current {
  name: string;
  rank: 2 | 4;
}

/** One attribute as ONNX writes it. */
type Attribute = { name: string; type: number; f?: number; i?: number; ints?: number[] };

/**
 * Builds an ONNX graph node by node. Tensors are float32 (what every onnxruntime kernel takes),
 * stored as raw little-endian bytes.
 */
class GraphBuilder {
  readonly nodes: { input: string[]; output: string[]; name: string; op_type: string; attribute: Attribute[] }[] = [];
  readonly initializers: { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }[] = [];
  current: Current;
  private count = 0;

  constructor(input: Current) {
    this.current = input;
  }

  /** A float32 constant of the given shape. */
  constant(name: string, dims: number[], values: ArrayLike<number>): string {
    const raw = new Uint8Array(4 * values.length);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
    this.initializers.push({ name, dims, data_type: ONNX_FLOAT, raw_data: raw });
    return name;
  }

  /** Adds a node reading the current value (and `extra` inputs); its output becomes current. */
  op(opType: string, extra: string[] = [], attributes: Attribute[] = [], rank = this.current.rank, output?: string): void {
    const out = output ?? `${opType.toLowerCase()}_${++this.count}`;
    this.nodes.push({
      input: [this.current.name, ...extra],
      output: [out],
      name: `${opType}_${this.count}`,
      op_type: opType,
      attribute: attributes,
    });
    this.current = { name: out, rank };
  }

  /** N×C×H×W → N×(C·H·W), as the book's Affine reads an image batch. */
  flatten(): void {
    if (this.current.rank !== 2) this.op('Flatten', [], [int('axis', 1)], 2);
  }
}

const int = (name: string, i: number): Attribute => ({ name, type: ATTR.INT, i });
const ints = (name: string, values: number[]): Attribute => ({ name, type: ATTR.INTS, ints: values });

/** How one layer type of the model JSON becomes ONNX nodes. `path` names the layer in errors. */
type Emitter = (layer: LayerJSON, g: GraphBuilder, path: string, prefix: string) => void;

/**
 * The layers export knows, by model JSON type. A layer type missing here is refused with its
 * name; adding one is adding an entry.
 */
export const onnxEmitters = new Map<string, Emitter>([
  [
    // out = x·W + b: Gemm with B = W (inputs × outputs, no transpose) and C = b.
    'Affine',
    (layer, g, path, prefix) => {
      const W = array(layer, 'W', path, 2);
      const b = array(layer, 'b', path, 1);
      g.flatten();
      g.op('Gemm', [g.constant(`${prefix}.W`, W.shape, W.values), g.constant(`${prefix}.b`, b.shape, b.values)], [], 2);
    },
  ],
  [
    // Inference, as the book's Dropout: out = x·(1 − ratio).
    'Dropout',
    (layer, g, path, prefix) => {
      const ratio = layer.ratio;
      if (typeof ratio !== 'number' || !(ratio >= 0 && ratio < 1))
        throw new InputError(`${path}.ratio is ${describe(ratio)}, expected a number in [0, 1)`);
      g.op('Mul', [g.constant(`${prefix}.keep`, [], [1 - ratio])]);
    },
  ],
  ['Sigmoid', (_l, g) => g.op('Sigmoid')],
  ['Relu', (_l, g) => g.op('Relu')],
  ['Tanh', (_l, g) => g.op('Tanh')],
  [
    // The loss layer's forward pass without the loss: the probabilities.
    'SoftmaxWithLoss',
    (_l, g) => {
      g.flatten();
      g.op('Softmax', [], [int('axis', 1)], 2, 'probabilities');
    },
  ],
  [
    'Convolution',
    (layer, g, path, prefix) => {
      const W = array(layer, 'W', path, 4);
      const b = array(layer, 'b', path, 1);
      const stride = whole(layer, 'stride', path, 1);
      const pad = whole(layer, 'pad', path, 0);
      if (g.current.rank !== 4)
        throw new InputError(`${path}: a Convolution after a layer that flattens its input cannot be exported, expected it on N×C×H×W`);
      g.op(
        'Conv',
        [g.constant(`${prefix}.W`, W.shape, W.values), g.constant(`${prefix}.b`, b.shape, b.values)],
        [ints('kernel_shape', W.shape.slice(2)), ints('strides', [stride, stride]), ints('pads', [pad, pad, pad, pad])],
        4,
      );
    },
  ],
  [
    'Pooling',
    (layer, g, path) => {
      const poolH = whole(layer, 'poolH', path, 1);
      const poolW = whole(layer, 'poolW', path, 1);
      const stride = whole(layer, 'stride', path, 1);
      const pad = whole(layer, 'pad', path, 0);
      // The book pads with zeros before taking the max, ONNX's MaxPool with −∞: equal only without padding.
      if (pad !== 0)
        throw new InputError(`${path}: Pooling with pad ${pad} cannot be exported (MaxPool pads with −∞, the book with 0), expected pad 0`);
      if (g.current.rank !== 4)
        throw new InputError(`${path}: a Pooling after a layer that flattens its input cannot be exported, expected it on N×C×H×W`);
      g.op('MaxPool', [], [ints('kernel_shape', [poolH, poolW]), ints('strides', [stride, stride]), ints('pads', [0, 0, 0, 0])], 4);
    },
  ],
  [
    // Inference: out = γ·(x − μ)/√(σ² + ε) + β per feature = x·scale + shift. The book normalises each
    // of the C·H·W features of an image batch (not each channel), so a 4-D input is flattened
    // for the Mul and Add and given its shape back after.
    'BatchNormalization',
    (layer, g, path, prefix) => {
      const gamma = array(layer, 'gamma', path).values;
      const beta = array(layer, 'beta', path).values;
      const mean = array(layer, 'runningMean', path).values;
      const variance = array(layer, 'runningVar', path).values;
      const eps = layer.eps;
      if (typeof eps !== 'number' || !(eps >= 0)) throw new InputError(`${path}.eps is ${describe(eps)}, expected a number ≥ 0`);
      const d = gamma.length;
      if (beta.length !== d || mean.length !== d || variance.length !== d)
        throw new InputError(
          `${path}: gamma, beta, runningMean and runningVar have ${[d, beta.length, mean.length, variance.length].join(', ')} values, expected one each per feature`,
        );
      const scale = gamma.map((gm, i) => gm / Math.sqrt(variance[i] + eps));
      const shift = beta.map((bt, i) => bt - mean[i] * scale[i]);
      const input = g.current;
      let shape: string | undefined;
      if (input.rank === 4) {
        shape = `${prefix}.shape`;
        g.nodes.push({ input: [input.name], output: [shape], name: `Shape_${prefix}`, op_type: 'Shape', attribute: [] });
        g.flatten();
      }
      g.op('Mul', [g.constant(`${prefix}.scale`, [d], scale)], [], 2);
      g.op('Add', [g.constant(`${prefix}.shift`, [d], shift)], [], 2);
      if (shape) g.op('Reshape', [shape], [], 4);
    },
  ],
]);

/**
 * An ONNX model (opset 13, float32) computing what the network computes at inference: for an
 * MLP, Gemm + activations, and Softmax at the end, so the graph outputs probabilities. Input
 * `input` is N×features (N×C×H×W when the network starts with a Convolution); output
 * `probabilities` is N×classes. Layers without an emitter are refused by name.
 *
 * @example
 * writeFileSync('model.onnx', modelToOnnx(net.toJSON()));
 */
export function modelToOnnx(model: ModelJSON): Uint8Array {
  const first = model.layers[0];
  const convFirst = first?.type === 'Convolution';
  const g = new GraphBuilder({ name: 'input', rank: convFirst ? 4 : 2 });
  let classes: number | string = 'classes';
  model.layers.forEach((layer, i) => {
    const path = `model.layers[${i}]`;
    const emit = onnxEmitters.get(layer.type);
    if (!emit)
      throw new InputError(
        `${path} is ${describe(layer.type)}, which ONNX export does not support; it exports ${[...onnxEmitters.keys()].join(', ')}`,
      );
    emit(layer, g, path, `layers.${i}`);
    if (layer.type === 'Affine') classes = array(layer, 'W', path, 2).shape[1];
  });
  if (g.current.name !== 'probabilities')
    throw new InputError('model.layers does not end with SoftmaxWithLoss, expected the probabilities last');
  const inputDims: (number | string)[] = convFirst
    ? ['N', array(first, 'W', 'model.layers[0]', 4).shape[1], 'H', 'W']
    : ['N', first?.type === 'Affine' ? array(first, 'W', 'model.layers[0]', 2).shape[0] : 'features'];
  const valueInfo = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensor_type: {
        elem_type: ONNX_FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  });
  const message = ModelProto.fromObject({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'scratchnet',
    graph: {
      name: 'scratchnet',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', inputDims)],
      output: [valueInfo('probabilities', ['N', classes])],
    },
  });
  return ModelProto.encode(message).finish();
}

/** A layer's numeric array field, flattened, with its shape; `rank` when the layer needs one. */
function array(layer: LayerJSON, key: string, path: string, rank?: number): { shape: number[]; values: number[] } {
  const value = layer[key];
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const values = (Array.isArray(value) ? value.flat(Number.POSITIVE_INFINITY) : []) as unknown[];
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || values.length !== size || size === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new InputError(`${path}.${key} is ${describe(value)}, expected a non-empty array of finite numbers`);
  if (rank !== undefined && shape.length !== rank) throw new InputError(`${path}.${key} has ${shape.length} axes, expected ${rank}`);
  return { shape, values: values as number[] };
}

/** A whole-number field such as a stride (`min` the smallest allowed). */
function whole(layer: LayerJSON, key: string, path: string, min: number): number {
  const value = layer[key];
  if (!Number.isInteger(value) || (value as number) < min)
    throw new InputError(`${path}.${key} is ${describe(value)}, expected a whole number ≥ ${min}`);
  return value as number;
}
