import { existsSync, type Stats, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { InputError } from '../../errors.js';
import { type ModelJSON, Sequential } from '../../nets/sequential.js';
import type { DType } from '../../tensor/tensor.js';
import { type ModelOptions, modelFromJSON } from '../model-json.js';
import { modelJSONFromSafetensors, modelToSafetensors } from '../model-safetensors.js';
import { printable } from '../printable.js';
import { looksLikeSafetensors } from '../safetensors.js';
import { fileError, readBytes, writeFileAtomic } from './files.js';

/** The two forms a model file takes. */
export type ModelFormat = 'json' | 'safetensors';

/**
 * The model JSON of a file in either form, told apart by content, not by name: a safetensors file
 * starts with an 8-byte length that fits the file and then `{`; anything else is read as JSON.
 * The result has passed the model validation ({@link modelFromJSON}).
 *
 * @example
 * const { json, format } = readModelJSON('runs/2026-…/model.safetensors');
 */
export function readModelJSON(path: string): { json: ModelJSON; format: ModelFormat } {
  return modelJSONFromBytes(readBytes(path), path);
}

/** {@link readModelJSON} on bytes already read; `name` says in errors where they came from. */
export function modelJSONFromBytes(bytes: Uint8Array, name = 'model file'): { json: ModelJSON; format: ModelFormat } {
  if (looksLikeSafetensors(bytes)) {
    const json = modelJSONFromSafetensors(bytes, name);
    modelFromJSON(json);
    return { json, format: 'safetensors' };
  }
  // a safetensors file cut short: its length field promises more header than the file has
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[0] !== 0x7b) {
    const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (declared > BigInt(bytes.length - 8))
      throw new InputError(
        `${name} starts as a safetensors file, but its header length ${declared} is more than the ${bytes.length - 8} bytes after it, expected a whole file (truncated?)`,
      );
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InputError(`${name} is not valid JSON (nor a safetensors file): ${printable((error as Error).message.split('\n')[0])}`);
  }
  modelFromJSON(value);
  return { json: value as ModelJSON, format: 'json' };
}

/**
 * A network from a model file, `.json` or `.safetensors` (told apart by content).
 *
 * @example
 * const net = readModel('model.safetensors');
 */
export function readModel(path: string, dtype: DType = 'float64', options: ModelOptions = {}): Sequential {
  return modelFromJSON(readModelJSON(path).json, dtype, options);
}

/** The form a path asks for by its extension: `.json` or `.safetensors`. */
export function formatOfPath(path: string): ModelFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.safetensors') return 'safetensors';
  throw new InputError(`${path} ends in ${JSON.stringify(ext)}, expected .json or .safetensors`);
}

/**
 * Checks, before anything is computed, that a model can be written at `path`: a name ending in
 * .json or .safetensors, in a folder that exists, not itself a folder.
 *
 * @example
 * checkModelPath('runs/model.safetensors', '--save');
 */
export function checkModelPath(path: string, flag: string): void {
  if (path.trim() === '') throw new InputError(`${flag} is empty, expected the path of a model file`);
  formatOfPath(path);
  let folder: Stats;
  try {
    folder = statSync(dirname(path));
  } catch (error) {
    throw fileError(error, 'write', path);
  }
  if (!folder.isDirectory()) throw new InputError(`cannot write ${printable(path)}: ${printable(dirname(path))} is a file, not a folder`);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new InputError(`cannot write ${printable(path)}: it is a directory, expected a file`);
}

/**
 * Writes a model in the form its path's extension names, atomically: a reader never sees it
 * half-written. float64 unless `dtype` says float32 (safetensors only).
 *
 * @example
 * writeModel('model.safetensors', net);
 */
export function writeModel(path: string, model: Sequential | ModelJSON, dtype: DType = 'float64'): void {
  writeFileAtomic(path, modelFileData(path, model, dtype));
}

/** What a model file at `path` holds: JSON text or safetensors bytes, as its extension names. */
export function modelFileData(path: string, model: Sequential | ModelJSON, dtype: DType = 'float64'): string | Uint8Array {
  if (formatOfPath(path) === 'json') return modelJSONText(model instanceof Sequential ? model.toJSON() : model);
  return modelToSafetensors(model, { dtype });
}

/**
 * A model as the text of its JSON file, or one line saying it is too large for JSON text (V8 caps a
 * string at about 512 million characters): such a model goes to a .safetensors file instead.
 */
export function modelJSONText(json: ModelJSON): string {
  try {
    return `${JSON.stringify(json)}\n`;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InputError('the model is too large to write as JSON text, expected a smaller model or a .safetensors file');
  }
}
