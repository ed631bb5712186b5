import { describe, formatShape, InputError, ShapeError } from '../errors.js';

/** The element types a tensor can hold. float64 is the default: exact enough to check gradients. */
export type DType = 'float64' | 'float32';
export type FloatArray = Float64Array | Float32Array;

/**
 * A shape as layers reason about it before data arrives: a size of −1 ({@link ANY}) is not known
 * yet (the batch size N, or the H×W a convolution takes).
 */
export type Shape = readonly number[];
/** A size not known until the data is. */
export const ANY = -1;

/** Deeper arrays are refused by {@link Tensor.from} (no layer has more than a few axes). */
const MAX_NESTING = 32;

/** A nested array of numbers of any depth, as JSON writes a matrix: `[[1, 2], [3, 4]]`. */
export type Nested = number | Nested[];

/** Allocates a zero-filled array of `size` elements of `dtype`. */
let float32Allocator: ((size: number) => Float32Array | undefined) | undefined;

/**
 * Where new float32 arrays come from: the wasm backend with a shared memory allocates them in its
 * memory (so that its kernels use them without copies); undefined (the default) means ordinary
 * arrays, which is also the fallback whenever the allocator returns undefined.
 */
export function setFloat32Allocator(allocator: ((size: number) => Float32Array | undefined) | undefined): void {
  float32Allocator = allocator;
}

/**
 * The most elements a tensor may have: 2^27 (134,217,728; a GiB of float64). Shapes derived from a
 * file or flags are held to it before anything is allocated, with this limit in the message.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 27;

/** Refuses `size` elements for `what` (`Pooling#1's output 1×1×40001×40001`) above {@link MAX_TENSOR_ELEMENTS}. */
export function checkElements(size: number, what: string): void {
  if (size > MAX_TENSOR_ELEMENTS)
    throw new ShapeError(
      `${what} would have ${size.toLocaleString('en')} elements, more than the ${MAX_TENSOR_ELEMENTS.toLocaleString('en')} (2^27) a tensor may have`,
    );
}

export function allocate(size: number, dtype: DType): FloatArray {
  checkElements(size, 'a tensor');
  if (dtype === 'float32') return float32Allocator?.(size) ?? new Float32Array(size);
  return new Float64Array(size);
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new ShapeError(`shape ${JSON.stringify(shape)} has a dimension that is not a whole number ≥ 0`);
    size *= d;
  }
  return size;
}

/**
 * A row-major n-dimensional array over a flat Float64Array or Float32Array.
 * The last axis is contiguous: element (i, j) of an m×n matrix is `data[i * n + j]`.
 *
 * @example
 * const x = Tensor.from([[1, 2]]);          // 1×2, float64
 * x.shape;                                   // [1, 2]
 * Tensor.zeros([2, 3], 'float32').size;      // 6
 */
export class Tensor {
  readonly data: FloatArray;
  readonly shape: readonly number[];

  constructor(data: FloatArray, shape: readonly number[]) {
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new ShapeError(`Tensor: shape ${formatShape(shape)} needs ${size} elements but the data has ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  static zeros(shape: readonly number[], dtype: DType = 'float64'): Tensor {
    return new Tensor(allocate(sizeOf(shape), dtype), shape);
  }

  /**
   * Builds a tensor from a nested array; every row must have the same length and every entry be a
   * finite number. `name` is how error messages call the array (`W` gives `W[1][0] is "a", …`).
   */
  static from(nested: Nested, dtype: DType = 'float64', name = 'value'): Tensor {
    const shape: number[] = [];
    let level: Nested = nested;
    while (Array.isArray(level)) {
      shape.push(level.length);
      if (shape.length > MAX_NESTING)
        throw new InputError(`${name} is nested more than ${MAX_NESTING} deep, expected an array of a few axes`);
      if (level.length === 0) break;
      level = level[0];
    }
    // The values are gathered first and the array allocated after: the size the first row of each
    // axis promises is never trusted before every row has been seen.
    const values: number[] = [];
    const fill = (value: Nested, depth: number, path: string): void => {
      if (depth === shape.length) {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new InputError(`${path} is ${describe(value)}, expected a finite number`);
        }
        values.push(value);
        return;
      }
      if (!Array.isArray(value) || value.length !== shape[depth]) {
        const got = Array.isArray(value) ? `has ${value.length} entries` : `is ${describe(value)}`;
        throw new InputError(`${path} ${got}, expected an array of ${shape[depth]} (a ${formatShape(shape)} array, no ragged rows)`);
      }
      for (let i = 0; i < value.length; i++) fill(value[i], depth + 1, `${path}[${i}]`);
    };
    fill(nested, 0, name);
    const data = allocate(values.length, dtype);
    data.set(values);
    return new Tensor(data, shape);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** A view with another shape over the same data (no copy), as NumPy's reshape; one axis may be -1. */
  reshape(shape: readonly number[]): Tensor {
    const free = shape.indexOf(-1);
    if (free >= 0) {
      const rest = sizeOf(shape.filter((_, i) => i !== free));
      const resolved = [...shape];
      resolved[free] = rest === 0 ? 0 : this.size / rest;
      shape = resolved;
    }
    if (sizeOf(shape) !== this.size) {
      throw new ShapeError(`reshape: cannot view ${formatShape(this.shape)} as ${formatShape(shape)}`);
    }
    return new Tensor(this.data, shape);
  }

  clone(): Tensor {
    const data = allocate(this.size, this.dtype);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** The tensor as a nested array (a scalar tensor as a number). */
  toArray(): Nested {
    const build = (depth: number, offset: number): Nested => {
      if (depth === this.shape.length) return this.data[offset];
      const stride = sizeOf(this.shape.slice(depth + 1));
      const out: Nested[] = [];
      for (let i = 0; i < this.shape[depth]; i++) out.push(build(depth + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }
}

/**
 * Returns `buffer` when it already has `shape` and `dtype`, else a new zero tensor: layers keep
 * their outputs and gradients in buffers reused from one iteration to the next.
 */
export function reuse(buffer: Tensor | undefined, shape: readonly number[], dtype: DType): Tensor {
  if (buffer && buffer.dtype === dtype && sameShape(buffer.shape, shape)) return buffer;
  return Tensor.zeros(shape, dtype);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
