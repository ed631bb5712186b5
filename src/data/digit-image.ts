import { InputError } from '../errors.js';

/** A grayscale image, one value 0–255 a pixel, row-major. */
export interface GrayPixels {
  width: number;
  height: number;
  pixels: ArrayLike<number>;
}

export interface DigitInput {
  /** size × size values in [0, 1], white digit on black as in MNIST. */
  pixels: Float64Array;
  /** Whether the image was dark on light and has been inverted. */
  inverted: boolean;
}

/**
 * Turns any grayscale image into an MNIST-like input: resized to size × size by averaging the
 * source area under each target pixel (box filter), scaled to [0, 1], and inverted when its mean
 * is bright — MNIST digits are white on black, most drawings black on white.
 *
 * @example
 * const { pixels, inverted } = digitInput({ width: 56, height: 56, pixels: gray });
 */
export function digitInput(image: GrayPixels, size = 28): DigitInput {
  const { width, height, pixels } = image;
  if (!(width > 0 && height > 0) || pixels.length !== width * height)
    throw new InputError(`image is ${width}×${height} with ${pixels.length} pixels, expected width × height values`);
  const xs = boxWeights(width, size);
  const ys = boxWeights(height, size);
  // Resample the rows first (height × size), then the columns.
  const rows = new Float64Array(height * size);
  for (let y = 0; y < height; y++)
    for (let o = 0; o < size; o++) {
      let v = 0;
      for (const [i, w] of xs[o]) v += w * pixels[y * width + i];
      rows[y * size + o] = v;
    }
  const out = new Float64Array(size * size);
  let sum = 0;
  for (let o = 0; o < size; o++)
    for (let x = 0; x < size; x++) {
      let v = 0;
      for (const [i, w] of ys[o]) v += w * rows[i * size + x];
      out[o * size + x] = Math.min(1, Math.max(0, v / 255));
      sum += out[o * size + x];
    }
  const inverted = sum / out.length > 0.5;
  if (inverted) for (let i = 0; i < out.length; i++) out[i] = 1 - out[i];
  return { pixels: out, inverted };
}

/** For each of `to` target pixels, the source pixels under it and their share of its area. */
function boxWeights(from: number, to: number): [number, number][][] {
  const scale = from / to;
  const weights: [number, number][][] = [];
  for (let o = 0; o < to; o++) {
    const start = o * scale;
    const end = start + scale;
    const list: [number, number][] = [];
    for (let i = Math.floor(start); i < Math.min(from, Math.ceil(end)); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 0) list.push([i, overlap / scale]);
    }
    weights.push(list);
  }
  return weights;
}
