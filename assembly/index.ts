// AssemblyScript: the float32 WebAssembly SIMD kernels behind scratchnet's 'wasm' backend, one
// module whose entry is this file. src/backend/wasm/kernels.ts calls them on flat row-major float32
// arrays in this module's memory. Pointers are byte addresses.
//
// `npm run build:wasm` (scripts/build-wasm.mjs) compiles it with asc four times: over an unshared
// memory (dist/wasm/kernels.wasm) and, for threads, a shared one (kernels-shared.wasm), each also
// with relaxed SIMD (kernels-fma.wasm, kernels-fma-shared.wasm), where a product's step is a fused
// multiply-add. The loaders take the relaxed modules where the engine validates them.
//
// The module imports its memory (env.memory) and carries no data segment (tables.ts says why).
// The files, by job:
//   common.ts       the register blocks' shape, loading and storing vectors cut at a row's end
//   dense.ts        gemm: the dense path (B packed into panels), the narrow one, the choice of path
//   sparse.ts       the sparse-row path of gemm, the product straight from bytes, padding B's rows
//   tables.ts       the shuffle and byte/255 tables written at start, where the caller's memory begins
//   elementwise.ts  sigmoid and its backward, relu's forward and backward, bytes to floats
//   optimizers.ts   the SGD and Adam steps
//   pooling.ts      max pooling, forward and backward
//   im2col.ts       the book's im2col and col2im

export { fused } from './common';
export { gemm, packBytes, scratchBytes } from './dense';
export { gemmNormalizedBytes, padRows } from './sparse';
export { heapBase } from './tables';
export { allFinite, normalizeBytes, reluBackward, reluForward, sigmoid, sigmoidBackward } from './elementwise';
export { adam, sgd } from './optimizers';
export { maxPool, maxPoolBackward } from './pooling';
export { col2im, im2col } from './im2col';
