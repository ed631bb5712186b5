import { describe, formatShape, InputError } from '../errors.js';
import { type DType, type Nested, Tensor } from '../tensor/tensor.js';

export type JsonObject = Record<string, unknown>;

/** `value` as a JSON object, or an InputError naming `path`. */
export function expectObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${path} is ${describe(value)}, expected an object`);
  }
  return value as JsonObject;
}

/** What a number field may hold. */
export interface NumberRule {
  /** Whole numbers only. */
  whole?: boolean;
  min?: number;
  /** An exclusive upper bound. */
  below?: number;
  max?: number;
  /** The value when the field is absent; without it the field is required. */
  fallback?: number;
}

/**
 * The fields of one object of a JSON file, read with every check a file can fail: each error is
 * an InputError naming the field's place (`model.layers[2].W`) and what was expected. Only the
 * object's own fields count (never one inherited through `__proto__`).
 *
 * @example
 * const json = new JsonFields({ W: [[1, 2]], stride: 2 }, 'model.layers[0]');
 * json.tensor('W', 2, 'float64'); // a 1×2 tensor
 * json.number('stride', { whole: true, min: 1, fallback: 1 }); // 2
 */
export class JsonFields {
  readonly object: JsonObject;

  constructor(
    value: unknown,
    readonly path: string,
  ) {
    this.object = expectObject(value, path);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.object, key);
  }

  /** Refuses a field that is none of `keys`, as a flag that is not known is refused. */
  only(keys: readonly string[]): void {
    const other = Object.keys(this.object).find((k) => !keys.includes(k));
    if (other !== undefined)
      throw new InputError(`${this.path} has the field ${describe(other)}, which it does not hold; expected only ${keys.join(', ')}`);
  }

  /** The field's value, which must be there. */
  get(key: string): unknown {
    if (!this.has(key)) throw new InputError(`${this.path} has no "${key}"`);
    return this.object[key];
  }

  /** A non-empty array of finite numbers with `rank` axes. */
  tensor(key: string, rank: number, dtype: DType): Tensor {
    const t = Tensor.from(this.get(key) as Nested, dtype, `${this.path}.${key}`);
    if (t.rank !== rank || t.size === 0) {
      const expected = rank === 1 ? 'a non-empty vector' : `a non-empty array with ${rank} axes`;
      throw new InputError(`${this.path}.${key} is ${t.rank === 0 ? 'a number' : formatShape(t.shape)}, expected ${expected}`);
    }
    return t;
  }

  /** One of a fixed set of words. */
  choice<T extends string>(key: string, choices: readonly T[]): T {
    const value = this.get(key);
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value))
      throw new InputError(`${this.path}.${key} is ${describe(value)}, expected one of ${choices.join(', ')}`);
    return value as T;
  }

  /** A finite number within the rule's bounds. */
  number(key: string, rule: NumberRule = {}): number {
    if (rule.fallback !== undefined && !this.has(key)) return rule.fallback;
    return checkNumber(this.get(key), `${this.path}.${key}`, rule);
  }

  /** A non-empty list of finite numbers, each within the rule's bounds. */
  numbers(key: string, rule: NumberRule = {}): number[] {
    const value = this.get(key);
    const where = `${this.path}.${key}`;
    if (!Array.isArray(value) || value.length === 0)
      throw new InputError(`${where} is ${describe(value)}, expected a non-empty list of numbers`);
    return value.map((v, i) => checkNumber(v, `${where}[${i}]`, rule));
  }
}

function checkNumber(value: unknown, where: string, rule: NumberRule): number {
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
    throw new InputError(`${where} is ${describe(value)}, expected ${whole ? 'a whole number' : 'a number'}${bounds ? ` ${bounds}` : ''}`);
  }
  return value as number;
}
