/**
 * Every error a user can act on is a {@link ScratchnetError}: its message says what was wrong
 * and what was expected, in one line. The CLI prints that line and exits with status 2;
 * anything else is a bug and exits with status 1.
 *
 * @example
 * try { new Tensor(new Float64Array(3), [2, 2]); }
 * catch (e) { if (e instanceof ScratchnetError) console.log(e.message); }
 */
export class ScratchnetError extends Error {
  override name = 'ScratchnetError';
}

/** Two shapes that cannot work together, e.g. `matmul: a is 1×3 but b is 2×2`. */
export class ShapeError extends ScratchnetError {
  override name = 'ShapeError';
}

/** A value that is not what it should be: a NaN, a label out of range, a malformed file. */
export class InputError extends ScratchnetError {
  override name = 'InputError';
}

/** Formats a shape the way the book's readers write it: `100×784`, a scalar as `scalar`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/** A short description of a value for an error message: `"abc"`, `NaN`, `an object`, `null`. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    // JSON escapes the C0 controls; DEL, the C1 controls and line separators are escaped too.
    const quoted = JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
    return quoted.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}
