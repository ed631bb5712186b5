import { InputError } from '../errors.js';

/** An IDX array (the MNIST file format): its dimensions and its bytes, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes (type 0x08, as MNIST's images and labels are), checking
 * the magic number and that the file holds exactly the data its header declares: a truncated,
 * padded or corrupt file is an {@link InputError} naming `name` and what was wrong.
 *
 * @example
 * const labels = parseIdx(bytes, 'train-labels-idx1-ubyte'); // { dims: [60000], data: Uint8Array }
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  if (bytes.length < 4) throw new InputError(`${name}: ${bytes.length} bytes is too short for an IDX header, expected at least 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new InputError(
      `${name}: magic number starts 0x${hex(bytes[0])}${hex(bytes[1])}, expected 0x0000 (not an IDX file, or compressed)`,
    );
  }
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08) throw new InputError(`${name}: data type 0x${hex(type)} is not supported, expected 0x08 (unsigned byte)`);
  if (rank < 1) throw new InputError(`${name}: the header declares 0 dimensions, expected at least 1`);
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new InputError(
      `${name}: truncated in the header (${bytes.length} bytes, the header of ${rank} dimensions needs ${headerLength})`,
    );
  }
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
  }
  const actual = bytes.length - headerLength;
  if (actual !== size) {
    const what = actual < size ? 'truncated' : 'longer than its header says';
    throw new InputError(`${name}: ${what}: the header declares ${dims.join('×')} (${size} bytes of data) but the file has ${actual}`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
