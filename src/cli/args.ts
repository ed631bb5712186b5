import { parseArgs } from 'node:util';
import { describe, ScratchnetError } from '../errors.js';

/** A command line that cannot work: unknown flag, bad value, missing argument. Exit status 2. */
export class UsageError extends ScratchnetError {
  override name = 'UsageError';
}

/** The flags a command takes: each a string value or a boolean switch. */
export type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;
type FlagValue = string | boolean | undefined;

export interface ParsedFlags {
  values: Record<string, FlagValue>;
  positionals: string[];
}

/** Parses a command's flags strictly: an unknown flag or a missing value is a {@link UsageError}. */
export function parseFlags(command: string, argv: string[], options: FlagSpec): ParsedFlags {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as Record<string, FlagValue>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(`${command}: ${flagProblem((error as Error).message)} (see scratchnet ${command} --help)`);
  }
}

/** parseArgs' complaint, said in one short line. */
function flagProblem(message: string): string {
  const option = /'(--?[\w-]+)/.exec(message)?.[1] ?? '';
  if (/^Unknown option/.test(message)) return `unknown option ${option}`;
  if (/ambiguous/.test(message)) return `${option} needs a value (a value that starts with a dash is written ${option}=-1)`;
  if (/argument missing/.test(message)) return `${option} needs a value`;
  if (/does not take an argument/.test(message)) return `${option} takes no value`;
  return message.split('. ')[0].replace(/'/g, '');
}

/** A flag's value as a whole number within [min, max]. */
export function intFlag(name: string, value: FlagValue, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\s*-?\d+\s*$/.test(value) || n < min || n > max) {
    throw new UsageError(
      `--${name} is ${describe(value)}, expected a whole number${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}`,
    );
  }
  return n;
}

/** A number as decimals write it (`0.1`, `.5`, `3`, `1e-3`): not hex, not Infinity, not blank. */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** A flag's value as a positive finite number, written in decimals. */
export function positiveFlag(name: string, value: FlagValue, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !DECIMAL.test(value) || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} is ${describe(value)}, expected a positive number`);
  return n;
}

/** A flag's value as one of a fixed set of words. */
export function choiceFlag<T extends string>(name: string, value: FlagValue, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} is ${describe(value)}, expected one of ${choices.join(', ')}`);
  return value as T;
}

/** Exactly `count` positional arguments, named for the error message. */
export function positionals(command: string, given: string[], names: string[]): string[] {
  if (given.length !== names.length) {
    const expected = names.length === 0 ? 'no arguments' : names.join(' ');
    throw new UsageError(
      `${command}: got ${given.length === 0 ? 'no arguments' : given.join(' ')}, expected ${expected} (see scratchnet ${command} --help)`,
    );
  }
  return given;
}

/** A flag's value as a string (a path, a name), when given. */
export function stringFlag(name: string, value: FlagValue): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new UsageError(`--${name} needs a value`);
}

/** A flag's value as a comma-separated list of whole numbers within [min, max], e.g. `100,100,100`. */
export function intListFlag(name: string, value: FlagValue, fallback: number[], min = 1, max = Number.MAX_SAFE_INTEGER): number[] {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'string' ||
    !/^\s*\d+(\s*,\s*\d+)*\s*$/.test(value) ||
    value.split(',').some((v) => Number(v) < min || Number(v) > max)
  ) {
    throw new UsageError(
      `--${name} is ${describe(value)}, expected whole numbers from ${min} to ${max} separated by commas (e.g. 100,100,100)`,
    );
  }
  return value.split(',').map(Number);
}

/** A flag's value as a number ≥ 0 (0 included, unlike {@link positiveFlag}). */
export function nonNegativeFlag(name: string, value: FlagValue, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !DECIMAL.test(value) || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} is ${describe(value)}, expected a number ≥ 0`);
  return n;
}
