import { extname } from 'node:path';
import { InputError } from '../../errors.js';
import { type ModelJSON, Sequential } from '../../nets/sequential.js';
import type { DType } from '../../tensor/tensor.js';
import { type ModelOptions, modelFromJSON } from '../model-json.js';
import { modelJSONFromSafetensors, modelToSafetensors } from '../model-safetensors.js';
import { printable } from '../printable.js';
import { looksLikeSafetensors } from '../safetensors.js';
import { readBytes, writeFileAtomic } from './files.js';

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
 * Writes a model in the form its path's extension names, atomically: a reader never sees it
 * half-written. float64 unless `dtype` says float32 (safetensors only).
 *
 * @example
 * writeModel('model.safetensors', net);
 */
export function writeModel(path: string, model: Sequential | ModelJSON, dtype: DType = 'float64'): void {
  const format = formatOfPath(path);
  if (format === 'json') {
    const json = model instanceof Sequential ? model.toJSON() : model;
    writeOutput(path, `${JSON.stringify(json)}\n`);
  } else {
    writeOutput(path, modelToSafetensors(model, { dtype }));
  }
}

/** {@link writeFileAtomic}, with a missing folder or a denied write said in one line. */
export function writeOutput(path: string, data: string | Uint8Array): void {
  try {
    writeFileAtomic(path, data);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (error as Error).message;
    throw new InputError(`cannot write ${path}: ${why}`);
  }
}
