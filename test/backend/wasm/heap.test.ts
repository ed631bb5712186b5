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
  assert.equal(heap.borrow(3999), scratch, 'a block of the same size comes back');
  assert.equal(heap.float32(20000), undefined, 'past the budget: the caller falls back to an ordinary array');
  assert.throws(() => heap.borrow(1 << 20), /more than the module's memory/);
  assert.equal(heap.addressOf(new Float32Array(4)), -1);
});
