// The kernels of images as they are stored, one byte a pixel: their rows gathered as floats
// (normalizeBytes), or multiplied by a first layer's W without their floats being made
// (gemmNormalizedBytes). The bytes are copied into the module's memory a run of rows at a time.
import type { ByteRows } from '../kernels.js';
import { align, type WasmHeap } from './heap.js';
import { type HelperThreads, type KernelExports, Op, SPLIT_MACS, splitAcrossThreads } from './threads.js';

/** What these kernels work with: the module's exports over its memory, the heap, the helpers. */
export interface WasmParts {
  exports: KernelExports;
  heap: WasmHeap;
  helpers: HelperThreads;
  memory: WebAssembly.Memory;
}

/** out = bytes / 255, sixteen bytes a step, split across the helpers when large. */
export function normalizeBytesOnWasm({ exports, heap, helpers, memory }: WasmParts, source: ByteRows, out: Float32Array): void {
  const size = source.rows.length * source.width;
  const outAt = heap.addressOf(out);
  const need = align(size) + (outAt < 0 ? align(size * 4) : 0);
  const scratch = heap.borrow(need);
  try {
    copyRows(memory, source, scratch);
    const at = outAt >= 0 ? outAt : scratch + align(size);
    splitAcrossThreads(helpers, size, (from, count) => {
      const args = [scratch + from, at + 4 * from, count];
      return { run: () => exports.normalizeBytes(args[0], args[1], args[2]), op: Op.NORMALIZE_BYTES, args };
    });
    if (outAt < 0) out.set(heap.view().subarray(at >> 2, (at >> 2) + size));
  } finally {
    heap.give(scratch, need);
  }
}

/**
 * out = (bytes / 255)·W + bias by the sparse-row product straight from the bytes, each read as
 * byte / 255 through a table: their floats are never written. W's rows are padded to whole vectors
 * first (padRows) when they are not. Rows of at most 65,536 bytes (the lists' 16-bit indices).
 */
export function gemmNormalizedBytesOnWasm(
  { exports: e, heap, helpers, memory }: WasmParts,
  source: ByteRows,
  w: Float32Array,
  bias: Float32Array | undefined,
  out: Float32Array,
): void {
  const { rows, width } = source;
  const m = rows.length;
  const n = w.length / width;
  const threads = m >= 8 && m * n * width >= SPLIT_MACS ? 1 + helpers.count : 1;
  const placed = [w, bias, out].map((array) => (array ? heap.addressOf(array) : 0));
  const copies = [w, bias, out].map((array, i) => (array && placed[i] < 0 ? align(array.length * 4) : 0));
  const perThread = align(e.scratchBytes(width));
  const ldb = (n + 3) & ~3;
  const padded = ldb === n ? 0 : align(width * ldb * 4);
  const need = align(m * width) + copies.reduce((a, b) => a + b, 0) + padded + threads * perThread;
  const scratch = heap.borrow(need);
  try {
    copyRows(memory, source, scratch);
    let next = scratch + align(m * width);
    const view = heap.view();
    [w, bias, out].forEach((array, i) => {
      if (!array || placed[i] >= 0) return;
      placed[i] = next;
      if (array !== out) view.set(array, next >> 2);
      next += copies[i];
    });
    let [pw, pbias, pout] = placed;
    if (padded) {
      e.padRows(pw, next, width, n, ldb);
      pw = next;
      next += padded;
    }
    const each = Math.ceil(m / threads / 4) * 4;
    for (let t = 1; t < threads; t++) {
      const args = [n, width, scratch, pw, ldb, pout, pbias, Math.min(m, t * each), Math.min(m, (t + 1) * each), next + t * perThread];
      helpers.run(t - 1, Op.GEMM_NORMALIZED_BYTES, args);
    }
    e.gemmNormalizedBytes(n, width, scratch, pw, ldb, pout, pbias, 0, Math.min(m, each), next);
    for (let t = 1; t < threads; t++) helpers.wait(t - 1);
    if (heap.addressOf(out) < 0) out.set(heap.view().subarray(pout >> 2, (pout >> 2) + m * n));
  } finally {
    heap.give(scratch, need);
  }
}

// The rows of bytes one after another at byte address `to`: one copy for each run of consecutive
// rows (all of them when a set is read in order).
function copyRows(memory: WebAssembly.Memory, { bytes, rows, width }: ByteRows, to: number): void {
  const view = new Uint8Array(memory.buffer);
  for (let i = 0; i < rows.length; ) {
    let end = i + 1;
    while (end < rows.length && rows[end] === rows[end - 1] + 1) end++;
    view.set(bytes.subarray(rows[i] * width, (rows[end - 1] + 1) * width), to + i * width);
    i = end;
  }
}
