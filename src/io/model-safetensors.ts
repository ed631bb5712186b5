import { formatShape, InputError } from '../errors.js';
import type { LayerJSON } from '../layers/layer.js';
import { type ModelJSON, Sequential } from '../nets/sequential.js';
import type { DType, Nested } from '../tensor/tensor.js';
import { modelFromJSON } from './model-json.js';
import { printable, quote } from './printable.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor, type SafetensorsDType } from './safetensors.js';

/** The metadata key holding the architecture: the model JSON with every array replaced by a reference. */
export const MODEL_METADATA_KEY = 'scratchnet.model';
/** The version of that layout; a reader refuses versions it does not know. */
export const MODEL_FORMAT_VERSION = 1;

/** How the architecture in the metadata points at a tensor: `{"tensor": "layers.0.W"}`. */
interface TensorRef {
  tensor: string;
}

export interface SafetensorsOptions {
  /** Element type of the stored tensors (default float64, which round-trips bit-exactly). */
  dtype?: DType;
}

/**
 * A model as a safetensors file: every non-empty numeric array field of every layer (`W`, `b`,
 * `gamma`, `runningMean`, …, whatever the layer's JSON holds) becomes the tensor
 * `layers.{i}.{field}`, and the rest of the model JSON — types, strides, epsilons — goes into the
 * metadata under `scratchnet.model`, each array replaced by `{"tensor": name}`.
 *
 * @example
 * const bytes = modelToSafetensors(net);           // float64, bit-exact
 * const same = modelFromSafetensors(bytes);        // a Sequential again
 */
export function modelToSafetensors(model: Sequential | ModelJSON, { dtype = 'float64' }: SafetensorsOptions = {}): Uint8Array {
  const json = model instanceof Sequential ? model.toJSON() : model;
  const stDType: SafetensorsDType = dtype === 'float32' ? 'F32' : 'F64';
  const tensors = new Map<string, NamedTensor>();
  const layers = json.layers.map((layer, i) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(layer)) {
      const array = key === 'type' ? undefined : numericArray(value);
      if (!array) {
        out[key] = value;
        continue;
      }
      const name = `layers.${i}.${key}`;
      tensors.set(name, { dtype: stDType, ...array });
      out[key] = { tensor: name } satisfies TensorRef;
    }
    return out;
  });
  const architecture = { format: MODEL_METADATA_KEY, version: MODEL_FORMAT_VERSION, layers };
  return encodeSafetensors(tensors, { [MODEL_METADATA_KEY]: JSON.stringify(architecture) });
}

/**
 * The model JSON a safetensors file holds, each tensor put back into its layer field as a nested
 * array. Checks the container (see {@link decodeSafetensors}) and the architecture: every
 * reference must name a tensor, and every tensor must be referenced exactly once.
 */
export function modelJSONFromSafetensors(bytes: Uint8Array, name = 'safetensors file'): ModelJSON {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (!Object.hasOwn(metadata, MODEL_METADATA_KEY))
    throw new InputError(`${name}: __metadata__ has no "${MODEL_METADATA_KEY}", expected a model saved by scratchnet`);
  let architecture: unknown;
  try {
    architecture = JSON.parse(metadata[MODEL_METADATA_KEY]);
  } catch (error) {
    throw new InputError(`${name}: ${MODEL_METADATA_KEY} is not valid JSON (${printable((error as Error).message.split('\n')[0])})`);
  }
  const arch = expectObject(architecture, `${name}: ${MODEL_METADATA_KEY}`);
  if (arch.version !== MODEL_FORMAT_VERSION)
    throw new InputError(`${name}: ${MODEL_METADATA_KEY} has version ${quote(arch.version)}, expected ${MODEL_FORMAT_VERSION}`);
  if (!Array.isArray(arch.layers))
    throw new InputError(`${name}: ${MODEL_METADATA_KEY}.layers is ${quote(arch.layers)}, expected an array`);
  const used = new Set<string>();
  const layers = arch.layers.map((entry, i) => {
    const path = `${name}: ${MODEL_METADATA_KEY}.layers[${i}]`;
    const layer: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(expectObject(entry, path))) {
      const where = /^\w{1,40}$/.test(key) ? `${path}.${key}` : `${path}[${quote(key)}]`;
      if (!isTensorRef(value)) {
        layer[key] = value;
        continue;
      }
      const tensor = tensors.get(value.tensor);
      if (!tensor) throw new InputError(`${where} refers to tensor ${quote(value.tensor)}, which the file does not have`);
      if (used.has(value.tensor)) throw new InputError(`${where} refers to tensor ${quote(value.tensor)} a second time`);
      if (tensor.shape.length === 0 || tensor.shape.includes(0))
        throw new InputError(`${where} is ${formatShape(tensor.shape)}, expected a non-empty array`);
      used.add(value.tensor);
      layer[key] = nest(tensor.data, tensor.shape);
    }
    return layer as LayerJSON;
  });
  for (const tensor of tensors.keys())
    if (!used.has(tensor))
      throw new InputError(`${name}: tensor ${quote(tensor)} is not used by any layer, expected only the model's tensors`);
  return { layers };
}

/**
 * A network from a safetensors file, checked as {@link modelJSONFromSafetensors} does and then by
 * the same validation as the model JSON ({@link modelFromJSON}).
 *
 * @example
 * const net = modelFromSafetensors(bytes, 'float64', 'model.safetensors');
 */
export function modelFromSafetensors(bytes: Uint8Array, dtype: DType = 'float64', name = 'safetensors file'): Sequential {
  return modelFromJSON(modelJSONFromSafetensors(bytes, name), dtype);
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(`${path} is ${quote(value)}, expected an object`);
  return value as Record<string, unknown>;
}

function isTensorRef(value: unknown): value is TensorRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as TensorRef).tensor === 'string';
}

/** The shape and values of a non-empty rectangular array of finite numbers, else undefined. */
function numericArray(value: unknown): { shape: number[]; data: Float64Array } | undefined {
  if (!Array.isArray(value)) return undefined;
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    if (level.length === 0) return undefined;
    shape.push(level.length);
    level = level[0];
  }
  const values: number[] = [];
  const walk = (node: unknown, depth: number): boolean => {
    if (depth === shape.length) {
      if (typeof node !== 'number' || !Number.isFinite(node)) return false;
      values.push(node);
      return true;
    }
    return Array.isArray(node) && node.length === shape[depth] && node.every((child) => walk(child, depth + 1));
  };
  return walk(value, 0) ? { shape, data: Float64Array.from(values) } : undefined;
}

/** Flat row-major values as a nested array of the given shape. */
function nest(data: Float64Array, shape: readonly number[]): Nested {
  const build = (depth: number, offset: number, stride: number): Nested => {
    if (depth === shape.length) return data[offset];
    const inner = stride / shape[depth];
    const out: Nested[] = [];
    for (let i = 0; i < shape[depth]; i++) out.push(build(depth + 1, offset + i * inner, inner));
    return out;
  };
  return build(0, 0, data.length);
}
