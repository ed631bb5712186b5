import { inflateSync } from 'node:zlib';
import { InputError } from '../../errors.js';
import { crc32 } from '../crc32.js';
import { quote } from '../printable.js';

export { crc32 } from '../crc32.js';

/** A grayscale image, one value 0–255 a pixel, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Float64Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Larger images are refused before their data is inflated: a digit needs far fewer pixels. */
export const MAX_PNG_PIXELS = 4096 * 4096;
/** Channels of each supported color type (8 bits each): gray, RGB, gray+alpha, RGBA. */
const CHANNELS = new Map([
  [0, 1],
  [2, 3],
  [4, 2],
  [6, 4],
]);

/**
 * Decodes a PNG to grayscale: 8-bit gray, gray+alpha, RGB or RGBA, not interlaced, with any of
 * the five row filters. Colors become luma (0.299 R + 0.587 G + 0.114 B); transparent pixels are
 * put over white, as a viewer shows them. Chunk CRCs, sizes and the inflated length are checked,
 * and the data is inflated into at most the bytes the header promises: a corrupt or hostile file
 * is an {@link InputError}.
 *
 * @example
 * const { width, height, pixels } = decodePng(readBytes('digit.png'), 'digit.png');
 */
export function decodePng(bytes: Uint8Array, name = 'PNG file'): GrayImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    throw new InputError(`${name} is not a PNG file (its first 8 bytes are not the PNG signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: { width: number; height: number; colorType: number } | undefined;
  const idat: Uint8Array[] = [];
  let pos = 8;
  let ended = false;
  while (!ended) {
    if (pos + 12 > bytes.length) throw new InputError(`${name} is truncated: it ends inside a chunk header, before IEND`);
    const length = view.getUint32(pos, false);
    if (length > bytes.length - pos - 12)
      throw new InputError(`${name} is truncated: a chunk of ${length} bytes runs past the end of the file`);
    const typeBytes = bytes.subarray(pos + 4, pos + 8);
    const type = String.fromCharCode(...typeBytes);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length, false))
      throw new InputError(`${name}: the ${quote(type)} chunk fails its CRC check (corrupt file)`);
    pos += 12 + length;
    if (!header && type !== 'IHDR') throw new InputError(`${name}: the first chunk is ${quote(type)}, expected IHDR`);
    if (type === 'IHDR') header = readHeader(data, name, header !== undefined);
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    else if (type === 'PLTE') throw new InputError(`${name} is a palette image, expected 8-bit gray, gray+alpha, RGB or RGBA`);
    else if (!/^[a-z]/.test(type)) throw new InputError(`${name} has the critical chunk ${quote(type)}, which this decoder does not know`);
  }
  if (!header) throw new InputError(`${name} has no IHDR chunk`);
  if (idat.length === 0) throw new InputError(`${name} has no image data (no IDAT chunk)`);
  const { width, height, colorType } = header;
  const channels = CHANNELS.get(colorType) as number;
  const stride = width * channels;
  const expected = height * (1 + stride);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (error) {
    const tooLong = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new InputError(
      `${name}: ${tooLong ? `the image data inflates to more than the ${expected} bytes of a ${width}×${height} image` : 'the image data is not valid zlib data (corrupt file)'}`,
    );
  }
  if (raw.length !== expected)
    throw new InputError(`${name}: the image data inflates to ${raw.length} bytes, expected ${expected} for a ${width}×${height} image`);
  const samples = unfilter(raw, height, stride, channels, name);
  return { width, height, pixels: toGray(samples, width * height, channels) };
}

function readHeader(data: Uint8Array, name: string, repeated: boolean): { width: number; height: number; colorType: number } {
  if (repeated) throw new InputError(`${name} has two IHDR chunks`);
  if (data.length !== 13) throw new InputError(`${name}: IHDR has ${data.length} bytes, expected 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(0, false);
  const height = view.getUint32(4, false);
  const [bitDepth, colorType, compression, filter, interlace] = data.subarray(8);
  if (width === 0 || height === 0) throw new InputError(`${name} is ${width}×${height}, expected an image with pixels`);
  if (width * height > MAX_PNG_PIXELS) throw new InputError(`${name} is ${width}×${height}, expected at most ${MAX_PNG_PIXELS} pixels`);
  if (!CHANNELS.has(colorType))
    throw new InputError(`${name} has color type ${colorType}, expected 0 (gray), 2 (RGB), 4 (gray+alpha) or 6 (RGBA)`);
  if (bitDepth !== 8) throw new InputError(`${name} has ${bitDepth} bits a sample, expected 8`);
  if (compression !== 0 || filter !== 0)
    throw new InputError(`${name} uses compression ${compression} / filter method ${filter}, expected 0 / 0`);
  if (interlace !== 0) throw new InputError(`${name} is interlaced (Adam7), expected a non-interlaced PNG`);
  return { width, height, colorType };
}

/** Undoes the per-row filters (None, Sub, Up, Average, Paeth); bpp is bytes per pixel. */
function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number, name: string): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0; // left
      const b = y > 0 ? out[prev + x] : 0; // up
      const c = x >= bpp && y > 0 ? out[prev + x - bpp] : 0; // up-left
      let predictor: number;
      if (filter === 0) predictor = 0;
      else if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >>> 1;
      else if (filter === 4) predictor = paeth(a, b, c);
      else throw new InputError(`${name}: row ${y} has filter type ${filter}, expected 0–4 (corrupt file)`);
      out[row + x] = (raw[src + x] + predictor) & 0xff;
    }
  }
  return out;
}

// The neighbour (left, up or up-left) closest to left + up − up-left.
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

function toGray(samples: Uint8Array, count: number, channels: number): Float64Array {
  const gray = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const s = i * channels;
    const luma = channels >= 3 ? 0.299 * samples[s] + 0.587 * samples[s + 1] + 0.114 * samples[s + 2] : samples[s];
    const alpha = channels === 2 || channels === 4 ? samples[s + channels - 1] / 255 : 1;
    gray[i] = luma * alpha + 255 * (1 - alpha); // over white
  }
  return gray;
}
