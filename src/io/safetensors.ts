import { formatShape, InputError } from '../errors.js';
import { printable, quote } from './printable.js';

/**
 * The safetensors container: an 8-byte little-endian header length n, n bytes of JSON header
 * `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}`,
 * then the tensors' raw little-endian bytes, offsets counted from the end of the header.
 */

/** The element types scratchnet reads and writes (safetensors names them F64 and F32). */
export type SafetensorsDType = 'F64' | 'F32';

/** One named tensor of a safetensors file: its values as float64 whatever the stored dtype. */
export interface NamedTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data: Float64Array;
}

export interface SafetensorsContents {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** Headers larger than this are refused before anything is decoded. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Axes a tensor may have: plenty for any layer, and a bound on what a header can ask for. */
const MAX_RANK = 8;
const BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4 };

/**
 * Writes tensors and string metadata as a safetensors file, tensors in the order given. The
 * header is padded with spaces so that the data starts at a multiple of 8 bytes.
 *
 * @example
 * const bytes = encodeSafetensors(new Map([['w', { dtype: 'F64', shape: [2], data: Float64Array.of(1, 2) }]]), {});
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, NamedTensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === '__metadata__') throw new InputError('a tensor cannot be named __metadata__');
    const length = tensor.data.length * BYTES[tensor.dtype];
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const spaces = new Uint8Array(padded).fill(0x20);
    spaces.set(json);
    json = spaces;
  }
  const bytes = new Uint8Array(8 + json.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const tensor of tensors.values()) {
    const width = BYTES[tensor.dtype];
    for (const v of tensor.data) {
      if (width === 8) view.setFloat64(at, v, true);
      else view.setFloat32(at, v, true);
      at += width;
    }
  }
  return bytes;
}

/** Whether the bytes look like a safetensors file: a header length that fits, then `{`. */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b;
}

/**
 * Reads a safetensors file, trusting nothing in it: the header length is capped and must fit the
 * file, every tensor's dtype, shape and byte count must agree, and the tensors must tile the data
 * exactly (contiguous, non-overlapping, in bounds). Anything else is an {@link InputError}
 * naming `name` and what was wrong.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(bytes, 'model.safetensors');
 */
export function decodeSafetensors(bytes: Uint8Array, name = 'safetensors file'): SafetensorsContents {
  if (bytes.length < 8) throw new InputError(`${name}: ${bytes.length} bytes is too short for a safetensors file, expected at least 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new InputError(
      `${name}: the header length is ${declared} bytes but the file has ${bytes.length - 8} after it (at most ${MAX_HEADER_BYTES}), expected a safetensors file`,
    );
  }
  const headerLength = Number(declared);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new InputError(
      `${name}: the header is not valid JSON (${printable((error as Error).message.split('\n')[0])}), expected a safetensors file`,
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new InputError(`${name}: the header is ${quote(header)}, expected an object`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = readMetadata((header as Record<string, unknown>).__metadata__, name);
  const entries = Object.entries(header as Record<string, unknown>)
    .filter(([key]) => key !== '__metadata__')
    .map(([key, value]) => ({ key, ...readEntry(value, `${name}: tensor ${quote(key)}`) }))
    .sort((a, b) => a.begin - b.begin);
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin !== expected) {
      const what = entry.begin < expected ? 'overlaps the tensor before it' : 'leaves a gap before it';
      throw new InputError(`${name}: tensor ${quote(entry.key)} starts at byte ${entry.begin} and ${what}, expected ${expected}`);
    }
    if (entry.end > dataLength) {
      throw new InputError(
        `${name}: tensor ${quote(entry.key)} ends at byte ${entry.end} but the data has ${dataLength}, expected it within the file (truncated?)`,
      );
    }
    expected = entry.end;
  }
  if (expected !== dataLength)
    throw new InputError(`${name}: the tensors take ${expected} bytes but the data has ${dataLength}, expected them to fill it exactly`);
  const tensors = new Map<string, NamedTensor>();
  for (const { key, dtype, shape, begin, end } of entries) {
    const data = new Float64Array((end - begin) / BYTES[dtype]);
    const at = dataStart + begin;
    if (dtype === 'F64') for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(at + 8 * i, true);
    else for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
    tensors.set(key, { dtype, shape, data });
  }
  return { tensors, metadata };
}

function readMetadata(value: unknown, name: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(`${name}: __metadata__ is ${quote(value)}, expected an object of strings`);
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new InputError(`${name}: __metadata__[${quote(key)}] is ${quote(entry)}, expected a string`);
    metadata[key] = entry;
  }
  return metadata;
}

function readEntry(value: unknown, path: string): { dtype: SafetensorsDType; shape: number[]; begin: number; end: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(`${path} is ${quote(value)}, expected an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (dtype !== 'F64' && dtype !== 'F32') throw new InputError(`${path} has dtype ${quote(dtype)}, expected "F64" or "F32"`);
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new InputError(
      `${path} has shape ${printable(JSON.stringify(shape)?.slice(0, 40) ?? '')}, expected at most ${MAX_RANK} whole numbers ≥ 0`,
    );
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[1] < offsets[0]
  )
    throw new InputError(
      `${path} has data_offsets ${printable(JSON.stringify(offsets)?.slice(0, 40) ?? '')}, expected [begin, end] with 0 ≤ begin ≤ end`,
    );
  const [begin, end] = offsets as number[];
  // The element count comes from the byte range (already bounded by the caller), never from the shape alone.
  const count = (end - begin) / BYTES[dtype];
  let size = 1;
  for (const d of shape as number[]) size *= d;
  if (size !== count) {
    throw new InputError(
      `${path} is ${dtype} ${formatShape(shape as number[])} (${size} values) but its data_offsets span ${end - begin} bytes, expected ${size * BYTES[dtype]}`,
    );
  }
  return { dtype, shape: shape as number[], begin, end };
}
