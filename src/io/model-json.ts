import { describe, formatShape, InputError, ScratchnetError, ShapeError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Convolution } from '../layers/convolution.js';
import { Dropout } from '../layers/dropout.js';
import type { Layer, LossLayer } from '../layers/layer.js';
import { Pooling } from '../layers/pooling.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { Tanh } from '../layers/tanh.js';
import { Sequential } from '../nets/sequential.js';
import { Rng } from '../tensor/rng.js';
import { type DType, type Nested, Tensor } from '../tensor/tensor.js';
import { checkChain } from './chain.js';

type JsonObject = Record<string, unknown>;

function expectObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${path} is ${describe(value)}, expected an object`);
  }
  return value as JsonObject;
}

/** A field the object itself has (never one inherited through `__proto__` or the prototype). */
function field(obj: JsonObject, key: string, path: string): unknown {
  if (!Object.hasOwn(obj, key)) throw new InputError(`${path} has no "${key}"`);
  return obj[key];
}

function tensorField(obj: JsonObject, key: string, path: string, rank: number, dtype: DType): Tensor {
  const value = field(obj, key, path);
  const t = Tensor.from(value as Nested, dtype, `${path}.${key}`);
  if (t.rank !== rank || t.size === 0) {
    const expected = rank === 1 ? 'a non-empty vector' : `a non-empty array with ${rank} axes`;
    throw new InputError(`${path}.${key} is ${t.rank === 0 ? 'a number' : formatShape(t.shape)}, expected ${expected}`);
  }
  return t;
}

interface NumberRule {
  /** Whole numbers only. */
  whole?: boolean;
  min?: number;
  /** An exclusive upper bound. */
  below?: number;
  max?: number;
  /** The value when the field is absent; without it the field is required. */
  fallback?: number;
}

function numberField(obj: JsonObject, key: string, path: string, rule: NumberRule): number {
  if (rule.fallback !== undefined && !Object.hasOwn(obj, key)) return rule.fallback;
  const value = field(obj, key, path);
  const { whole = false, min, below, max } = rule;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!whole || Number.isInteger(value)) &&
    (min === undefined || value >= min) &&
    (below === undefined || value < below) &&
    (max === undefined || value <= max);
  if (!ok) {
    const bounds = [min !== undefined ? `≥ ${min}` : '', below !== undefined ? `< ${below}` : '', max !== undefined ? `≤ ${max}` : '']
      .filter(Boolean)
      .join(' and ');
    throw new InputError(
      `${path}.${key} is ${describe(value)}, expected ${whole ? 'a whole number' : 'a number'}${bounds ? ` ${bounds}` : ''}`,
    );
  }
  return value as number;
}

/** What building a layer may need besides its JSON. */
export interface ModelOptions {
  /** Draws Dropout masks in training (default: a new Rng seeded with 0). */
  rng?: Rng;
}

type LayerBuilder = (json: JsonObject, path: string, dtype: DType, rng: Rng) => Layer;

/** How each layer type of the model JSON is built; a Map, so no inherited key is ever a type. */
const layerBuilders = new Map<string, LayerBuilder>([
  ['Affine', (json, path, dtype) => new Affine(tensorField(json, 'W', path, 2, dtype), tensorField(json, 'b', path, 1, dtype))],
  ['Sigmoid', () => new Sigmoid()],
  ['Relu', () => new Relu()],
  ['Tanh', () => new Tanh()],
  [
    'Convolution',
    (json, path, dtype) =>
      new Convolution(
        tensorField(json, 'W', path, 4, dtype),
        tensorField(json, 'b', path, 1, dtype),
        numberField(json, 'stride', path, { whole: true, min: 1, fallback: 1 }),
        numberField(json, 'pad', path, { whole: true, min: 0, fallback: 0 }),
      ),
  ],
  [
    'Pooling',
    (json, path) =>
      new Pooling(
        numberField(json, 'poolH', path, { whole: true, min: 1 }),
        numberField(json, 'poolW', path, { whole: true, min: 1 }),
        numberField(json, 'stride', path, { whole: true, min: 1, fallback: 2 }),
        numberField(json, 'pad', path, { whole: true, min: 0, fallback: 0 }),
      ),
  ],
  [
    'BatchNormalization',
    (json, path, dtype) =>
      new BatchNormalization(tensorField(json, 'gamma', path, 1, dtype), tensorField(json, 'beta', path, 1, dtype), {
        momentum: numberField(json, 'momentum', path, { min: 0, max: 1 }),
        eps: numberField(json, 'eps', path, { min: Number.MIN_VALUE, fallback: 1e-6 }),
        runningMean: tensorField(json, 'runningMean', path, 1, dtype),
        runningVar: tensorField(json, 'runningVar', path, 1, dtype),
      }),
  ],
  ['Dropout', (json, path, _dtype, rng) => new Dropout(numberField(json, 'ratio', path, { min: 0, below: 1 }), rng)],
]);
const lossTypes = ['SoftmaxWithLoss'];

/**
 * Builds a network from the model JSON, checking everything a file can get wrong: missing
 * fields, ragged or non-numeric arrays, unknown layer types, and layers whose shapes don't chain.
 *
 * @example
 * const net = modelFromJSON({ layers: [
 *   { type: 'Affine', W: [[0.1, -0.2], [0.4, 0.3]], b: [0, 0] }, { type: 'Sigmoid' },
 *   { type: 'Affine', W: [[0.5, -0.1], [-0.3, 0.2]], b: [0, 0] }, { type: 'SoftmaxWithLoss' } ] });
 */
export function modelFromJSON(value: unknown, dtype: DType = 'float64', { rng = new Rng(0) }: ModelOptions = {}): Sequential {
  const model = expectObject(value, 'model');
  const list = field(model, 'layers', 'model');
  if (!Array.isArray(list) || list.length === 0)
    throw new InputError(`model.layers is ${describe(list)}, expected a non-empty array of layers`);
  const known = [...layerBuilders.keys(), ...lossTypes].join(', ');
  const layers: Layer[] = [];
  let lastLayer: LossLayer | undefined;
  list.forEach((entry, i) => {
    const path = `model.layers[${i}]`;
    const json = expectObject(entry, path);
    const type = field(json, 'type', path);
    if (typeof type === 'string' && lossTypes.includes(type)) {
      if (i !== list.length - 1) throw new InputError(`${path} is ${type}, but a loss layer must be the last layer`);
      lastLayer = new SoftmaxWithLoss();
      return;
    }
    const build = typeof type === 'string' ? layerBuilders.get(type) : undefined;
    if (!build) throw new InputError(`${path}.type is ${describe(type)}, expected one of ${known}`);
    try {
      layers.push(build(json, path, dtype, rng));
    } catch (error) {
      // A layer's own check (W is 2×3 but b is 2) gets the place in the file in front.
      if (error instanceof ScratchnetError && !error.message.startsWith(path)) {
        const Kind = error.constructor as new (message: string) => ScratchnetError;
        throw new Kind(`${path}: ${error.message}`);
      }
      throw error;
    }
  });
  if (!lastLayer)
    throw new InputError(
      `model.layers ends with ${describe(list[list.length - 1] && (list[list.length - 1] as JsonObject).type)}, expected the loss layer SoftmaxWithLoss last`,
    );
  const net = new Sequential(layers, lastLayer);
  checkChain(net);
  return net;
}

/**
 * The number of features a network takes per example when that is fixed: the rows of W of a
 * first Affine, or C·H·W of a network built with an `inputShape` (SimpleConvNet). A network that
 * starts with a Convolution read from JSON takes any H×W its layers fit, so this is undefined and
 * the data's own shape is checked through the chain instead.
 */
export function inputWidth(net: Sequential): number | undefined {
  if (net.inputShape) return net.inputShape.reduce((a, b) => a * b, 1);
  const first = net.layers[0];
  return first instanceof Affine ? first.params.W.shape[0] : undefined;
}

/** The number of classes the network outputs: the width of its last Affine. */
export function outputWidth(net: Sequential): number | undefined {
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const layer = net.layers[i];
    if (layer instanceof Affine) return layer.params.W.shape[1];
  }
  return undefined;
}

export interface Batch {
  x: Tensor;
  t: Tensor;
}

/**
 * Reads the data JSON `{ "x": [[…]], "t": [[…]] }` for a network: x one row per example (or,
 * for a network that starts with a Convolution, N×C×H×W images), t one-hot rows or a list of
 * class indices, checked against the network's input and output widths and, with x's shape, every
 * shape through the network (a kernel larger than its padded input, an output size that is not
 * whole, channels that don't match are ShapeErrors naming the layer and the shapes).
 *
 * @example
 * const { x, t } = dataFromJSON({ x: [[1, 2]], t: [[1, 0]] }, net);
 */
export function dataFromJSON(value: unknown, net: Sequential, dtype: DType = 'float64'): Batch {
  const data = expectObject(value, 'data');
  const x = Tensor.from(field(data, 'x', 'data') as Nested, dtype, 'data.x');
  if (x.rank < 2 || x.shape[0] === 0)
    throw new InputError(`data.x is ${x.rank === 0 ? 'a number' : formatShape(x.shape)}, expected one row per example (N×features)`);
  const t = Tensor.from(field(data, 't', 'data') as Nested, 'float64', 'data.t');
  const n = x.shape[0];
  const first = net.layers[0];
  const inputs = inputWidth(net);
  const features = x.size / n;
  if (first instanceof Convolution && x.rank !== 4) {
    const c = first.params.W.shape[1];
    throw new ShapeError(`data.x is ${formatShape(x.shape)} but ${first.label} takes images N×${c}×H×W, expected x with 4 axes`);
  }
  if (net.inputShape && x.rank > 2 && formatShape(x.shape.slice(1)) !== formatShape(net.inputShape)) {
    throw new ShapeError(`data.x is ${formatShape(x.shape)} but the network takes N×${formatShape(net.inputShape)}, expected that shape`);
  }
  if (inputs !== undefined && features !== inputs) {
    throw new ShapeError(`data.x is ${formatShape(x.shape)} but ${first.label} takes ${inputs} inputs, expected rows of ${inputs}`);
  }
  const input = net.inputShape && x.rank === 2 ? x.reshape([n, ...net.inputShape]) : x;
  checkChain(net, input.shape);
  if (t.rank !== 1 && t.rank !== 2)
    throw new InputError(`data.t is ${t.rank === 0 ? 'a number' : formatShape(t.shape)}, expected one-hot rows or a list of class indices`);
  if (t.shape[0] !== n) throw new ShapeError(`data.t has ${t.shape[0]} rows but data.x has ${n}, expected one target per example`);
  const classes = outputWidth(net);
  if (classes !== undefined) {
    if (t.rank === 2 && t.shape[1] !== classes) {
      throw new ShapeError(
        `data.t is ${formatShape(t.shape)} but the model outputs ${classes} classes, expected one-hot rows of ${classes}`,
      );
    }
    if (t.rank === 1) {
      t.data.forEach((label, i) => {
        if (!Number.isInteger(label) || label < 0 || label >= classes) {
          throw new InputError(`data.t[${i}] is ${label}, expected a class index 0…${classes - 1}`);
        }
      });
    }
  }
  return { x: input, t };
}
