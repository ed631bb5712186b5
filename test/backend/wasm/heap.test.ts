import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WasmHeap } from '../../../src/backend/wasm/heap.js';

test('the heap reuses blocks given back, keeps to its budget, and refuses more than its memory', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  const heap = new WasmHeap(memory, 1024, 64 * 1024);
  const a = heap.float32(100);
  assert.ok(a && heap.addressOf(a) >= 1024 && heap.addressOf(a) % 64 === 0);
  const scratch = heap.borrow(4000);
  heap.give(scratch, 4000);
  assert.equal(heap.borrow(3999), scratch, 'the scratch comes back');
  heap.give(scratch, 3999);
  assert.equal(heap.float32(20000), undefined, 'past the budget: the caller falls back to an ordinary array');
  assert.throws(() => heap.borrow(1 << 20), /more than the module's memory holds besides its 0 MB in use/);
  assert.equal(heap.addressOf(new Float32Array(4)), -1);
});

test("scratch of many sizes takes about twice the largest, not their sum: a network's products", () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true }); // 4 MiB
  const heap = new WasmHeap(memory, 1024, 1 << 20);
  // 200 calls of scratch from 10 KB to 1 MB: their sum (100 MB) is 25 times the memory
  for (let i = 1; i <= 200; i++) {
    const bytes = 5000 * i;
    const at = heap.borrow(bytes);
    new Uint8Array(memory.buffer, at, bytes).fill(i); // usable
    heap.give(at, bytes);
  }
  assert.ok(memory.buffer.byteLength <= 3 << 20, `${memory.buffer.byteLength} bytes`);
  // nested borrows stack up in the arena and free it whatever the order they come back in
  const outer = heap.borrow(1000);
  const inner = heap.borrow(2000);
  assert.equal(inner, outer + 1024);
  heap.give(outer, 1000);
  heap.give(inner, 2000);
  assert.equal(heap.borrow(64), outer, 'the arena is empty again');
  heap.give(outer, 64);
  // scratch does not count against the tensors' budget
  assert.ok(heap.float32((1 << 20) / 4 - 16), 'the whole budget is still there for tensors');
});
