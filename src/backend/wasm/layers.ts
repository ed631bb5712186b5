// The kernels of the convolution and pooling layers on wasm: each runs when its arrays live in the
// module's memory (float32 tensors do, when it is shared), else the plain loop runs, the same floats.
import type { Window } from '../../tensor/im2col.js';
import type { FloatArray } from '../../tensor/tensor.js';
import { plain } from '../plain.js';
import type { WasmParts } from './bytes.js';

// The arrays' addresses in the memory, or undefined when one of them is elsewhere or not float32.
function addresses({ heap }: WasmParts, floats: FloatArray[], others: Int32Array[] = []): number[] | undefined {
  if (!floats.every((a) => a instanceof Float32Array)) return undefined;
  const at = [...floats, ...others].map((array) => heap.addressOf(array as Float32Array | Int32Array));
  return at.some((a) => a < 0) ? undefined : at;
}

export function maxPoolOnWasm(parts: WasmParts, x: FloatArray, win: Window, out: FloatArray, argmax: Int32Array): void {
  const at = addresses(parts, [x, out], [argmax]);
  if (!at) {
    plain.maxPool(x, win, out, argmax);
    return;
  }
  const { n, c, h, w, fh, fw, stride, pad, oh, ow } = win;
  parts.exports.maxPool(at[0], at[1], at[2], n * c, h, w, fh, fw, stride, pad, oh, ow);
}

export function maxPoolBackwardOnWasm(parts: WasmParts, dout: FloatArray, argmax: Int32Array, dx: FloatArray): void {
  const at = addresses(parts, [dout, dx], [argmax]);
  if (!at) {
    plain.maxPoolBackward(dout, argmax, dx);
    return;
  }
  parts.exports.maxPoolBackward(at[0], at[2], dout.length, at[1], dx.length);
}

/** im2col (x → col) or col2im (col → dx) on the kernels. */
export function windowsOnWasm(
  parts: WasmParts,
  from: FloatArray,
  to: FloatArray,
  win: Window,
  ones: boolean,
  kernel: 'im2col' | 'col2im',
): void {
  const at = addresses(parts, [from, to]);
  if (!at) {
    plain[kernel](from, win, to, ones);
    return;
  }
  const { n, c, h, w, fh, fw, stride, pad, oh, ow } = win;
  parts.exports[kernel](at[0], at[1], n, c, h, w, fh, fw, stride, pad, oh, ow, +ones);
}
