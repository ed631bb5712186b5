import { describe, formatShape, InputError } from '../errors.js';
import { dataFromJSON } from '../io/data-json.js';
import { modelFromJSON } from '../io/model-json.js';
import { layerTypes } from '../layers/registry.js';
import type { Diagnosis } from '../layers/steps.js';
import type { Sequential } from '../nets/sequential.js';
import { type Nested, Tensor } from '../tensor/tensor.js';
import { type Mistake, mistakesOf, recomputable } from './slips.js';
import { formulaText, trace } from './trace.js';

/** A learner's claimed value of one step: the numbers, how precisely each was written, the text as written. */
export interface Claim {
  value: Tensor;
  /** One unit in the last decimal place of each number. */
  tolerance: Float64Array;
  /** Decimals to show the correct value with. */
  decimals: number;
  written: Nested;
}

/** A worked file: a model, its input and labels, and the values a learner worked out by hand. */
export interface WorkedFile {
  net: Sequential;
  x: Tensor;
  t: Tensor;
  claimed: Map<string, Claim>;
}

export type Status = 'ok' | 'carried' | 'wrong';

/** The verdict on one claimed step. */
export interface StepVerdict {
  name: string;
  status: Status;
  claim: Claim;
  /** The correct value. */
  expected: Tensor;
  /** What the step's formula gives from the learner's own earlier values. */
  fromYours: Tensor;
  /** The correct formula, with names: `da1 = dz2·W2ᵀ`. */
  formula: string;
  /** For a carried step: the learner's earlier values it inherits the error from. */
  carriedFrom: string[];
  /** For a wrong step: the usual slip that explains it (or `arithmetic`), with the formula of the slip. */
  diagnosis?: Diagnosis;
  mistake?: { formula: string; value: Tensor };
}

export interface CheckResult {
  steps: StepVerdict[];
  summary: Record<Status, number>;
  batch: number;
}

/** Parses one written number: a JSON number, or a string such as "0.710" or "−0.468" that keeps its trailing zeros. */
function parseWritten(value: unknown, path: string): { value: number; decimals: number } {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^−/, '-') : undefined;
  const m = text === undefined ? null : /^[+-]?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!m || !Number.isFinite(Number(text))) {
    throw new InputError(`${path} is ${describe(value)}, expected a number or a string of one (like "0.710")`);
  }
  return { value: Number(text), decimals: Math.max(0, (m[2]?.length ?? 0) - Number(m[3] ?? 0)) };
}

function parseClaim(written: unknown, path: string, decimals: number | undefined): Claim {
  const numbers: number[] = [];
  const places: number[] = [];
  const walk = (v: unknown, p: string): Nested => {
    if (Array.isArray(v)) return v.map((e, i) => walk(e, `${p}[${i}]`));
    const parsed = parseWritten(v, p);
    numbers.push(parsed.value);
    places.push(decimals ?? parsed.decimals);
    return parsed.value;
  };
  const nested = walk(written, path);
  const value = Tensor.from(nested, 'float64', path);
  return {
    value,
    tolerance: Float64Array.from(places, (d) => 10 ** -d),
    decimals: Math.max(...places),
    written: written as Nested,
  };
}

/**
 * Reads a worked file: `{"model": {...}, "x": [[…]], "t": [[…]], "decimals": 3, "claimed": {"z1": [["0.9", "0.4"]], …}}`.
 * Claimed values may be numbers or strings; any subset of the steps may be given.
 */
export function parseWorked(value: unknown): WorkedFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(`worked file is ${describe(value)}, expected an object`);
  const file = value as Record<string, unknown>;
  for (const key of ['model', 'x', 't', 'claimed']) if (!Object.hasOwn(file, key)) throw new InputError(`worked file has no "${key}"`);
  const net = modelFromJSON(file.model);
  const { x, t } = dataFromJSON({ x: file.x, t: file.t }, net);
  let decimals: number | undefined;
  if (Object.hasOwn(file, 'decimals')) {
    decimals = file.decimals as number;
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 15)
      throw new InputError(`decimals is ${describe(file.decimals)}, expected a whole number 0…15`);
  }
  const claimedJson = file.claimed;
  if (typeof claimedJson !== 'object' || claimedJson === null || Array.isArray(claimedJson)) {
    throw new InputError(`claimed is ${describe(claimedJson)}, expected an object of step names and values`);
  }
  const claimed = new Map<string, Claim>();
  for (const [name, written] of Object.entries(claimedJson)) claimed.set(name, parseClaim(written, `claimed.${name}`, decimals));
  return { net, x, t, claimed };
}

/** Whether `value` agrees with the claim to within one unit in the last written place, everywhere. */
function agrees(claim: Claim, value: Tensor): boolean {
  if (value.size !== claim.value.size) return false;
  for (let i = 0; i < value.size; i++) {
    const tol = claim.tolerance[i] * (1 + 1e-9) + 1e-12;
    if (!(Math.abs(claim.value.data[i] - value.data[i]) <= tol)) return false;
  }
  return true;
}

/** The shape without its axes of size 1: a row written as a vector still fits. */
const squeezed = (shape: readonly number[]): string => shape.filter((d) => d !== 1).join('×');

/**
 * Checks a hand computation step by step. A claimed step is `ok` when it matches the true value
 * (or what follows from the learner's own earlier values, all ok: rounding carried forward);
 * `carried` when it is wrong but follows exactly from the learner's own earlier wrong values;
 * `wrong` otherwise, with the usual slip that explains it.
 *
 * @example
 * const result = checkWork(parseWorked(seedNote));
 * result.steps.find((s) => s.name === 'da1')?.diagnosis; // 'missing-transpose'
 */
export function checkWork({ net, x, t, claimed }: WorkedFile): CheckResult {
  const truth = trace(net, x, t);
  const names = truth.steps.map((s) => s.name);
  for (const [name, claim] of claimed) {
    const step = truth.steps.find((s) => s.name === name);
    if (!step) throw new InputError(`claimed.${name} is not a step of this network, expected one of ${names.join(', ')}`);
    if (!recomputable(step.kind)) {
      throw new InputError(
        `claimed.${name} is a step of ${step.layer}, which check cannot recompute yet: it checks the steps of ${checkedLayers()}`,
      );
    }
    if (squeezed(claim.value.shape) !== squeezed(step.value.shape)) {
      throw new InputError(
        `claimed.${name} is ${formatShape(claim.value.shape)}, expected ${formatShape(step.value.shape)} like the step's value`,
      );
    }
  }
  // The learner's world: given values as they are, claimed values as written, the rest computed from those.
  const yours = new Map<string, Tensor>(truth.values);
  const tainted = new Set<string>();
  const verdicts: StepVerdict[] = [];
  for (const step of truth.steps) {
    const args = step.operands.map((n) => yours.get(n) as Tensor);
    // A step check cannot recompute keeps its true value in the learner's world.
    const fromYours = step.recompute ? step.recompute(args).reshape(step.value.shape) : step.value;
    const upstream = step.operands.filter((n) => tainted.has(n));
    const claim = claimed.get(step.name);
    if (!claim) {
      yours.set(step.name, fromYours);
      if (upstream.length > 0) tainted.add(step.name);
      continue;
    }
    const verdict: StepVerdict = {
      name: step.name,
      status: 'ok',
      claim,
      expected: step.value,
      fromYours,
      formula: step.formula,
      carriedFrom: [],
    };
    if (!agrees(claim, step.value)) {
      if (agrees(claim, fromYours)) {
        if (upstream.length > 0) {
          verdict.status = 'carried';
          verdict.carriedFrom = upstream;
        }
      } else {
        verdict.status = 'wrong';
        const slip = mistakesOf(step, args).find((m: Mistake) => agrees(claim, m.value));
        verdict.diagnosis = slip?.diagnosis ?? 'arithmetic';
        if (slip) verdict.mistake = { formula: `${step.name} = ${formulaText(slip.formula, step.operands)}`, value: slip.value };
      }
    }
    if (verdict.status !== 'ok') tainted.add(step.name);
    yours.set(step.name, claim.value.reshape(step.value.shape));
    verdicts.push(verdict);
  }
  const summary = { ok: 0, carried: 0, wrong: 0 };
  for (const v of verdicts) summary[v.status]++;
  return { steps: verdicts, summary, batch: truth.batch };
}

/** The layer types whose every step check can recompute, as a list in words: `Affine, Sigmoid and Relu`. */
function checkedLayers(): string {
  const types = [...layerTypes.values()].filter((t) => [...t.steps.forward, ...t.steps.backward].every((s) => recomputable(s.kind)));
  const names = types.map((t) => t.type);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}
