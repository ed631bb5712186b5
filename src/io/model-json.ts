import { describe, formatShape, InputError, ShapeError } from '../errors.js';
import { Affine } from '../layers/affine.js';
import type { Layer, LossLayer } from '../layers/layer.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { Tanh } from '../layers/tanh.js';
import { Sequential } from '../nets/sequential.js';
import { type DType, type Nested, Tensor } from '../tensor/tensor.js';

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

type LayerBuilder = (json: JsonObject, path: string, dtype: DType) => Layer;

/** How each layer type of the model JSON is built; a Map, so no inherited key is ever a type. */
const layerBuilders = new Map<string, LayerBuilder>([
  ['Affine', (json, path, dtype) => new Affine(tensorField(json, 'W', path, 2, dtype), tensorField(json, 'b', path, 1, dtype))],
  ['Sigmoid', () => new Sigmoid()],
  ['Relu', () => new Relu()],
  ['Tanh', () => new Tanh()],
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
export function modelFromJSON(value: unknown, dtype: DType = 'float64'): Sequential {
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
    layers.push(build(json, path, dtype));
  });
  if (!lastLayer)
    throw new InputError(
      `model.layers ends with ${describe(list[list.length - 1] && (list[list.length - 1] as JsonObject).type)}, expected the loss layer SoftmaxWithLoss last`,
    );
  const net = new Sequential(layers, lastLayer);
  checkChain(net);
  return net;
}

/** The number of features each Affine expects must be what the layers before it give. */
function checkChain(net: Sequential): void {
  let width: number | undefined;
  let from = '';
  for (const layer of net.layers) {
    if (layer instanceof Affine) {
      const W = layer.params.W;
      if (width !== undefined && W.shape[0] !== width) {
        throw new ShapeError(
          `${layer.label}: W is ${formatShape(W.shape)} but ${from} gives ${width} features, expected W with ${width} rows`,
        );
      }
      width = W.shape[1];
      from = layer.label;
    }
  }
}

/** The number of inputs the network's first Affine takes, when it starts with one. */
export function inputWidth(net: Sequential): number | undefined {
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
 * Reads the data JSON `{ "x": [[…]], "t": [[…]] }` for a network: x one row per example, t one-hot
 * rows or a list of class indices, checked against the network's input and output widths.
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
  const inputs = inputWidth(net);
  const features = x.size / n;
  if (inputs !== undefined && features !== inputs) {
    throw new ShapeError(`data.x is ${formatShape(x.shape)} but ${net.layers[0].label} takes ${inputs} inputs, expected rows of ${inputs}`);
  }
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
  return { x, t };
}
