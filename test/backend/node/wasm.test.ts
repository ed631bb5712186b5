import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultThreads, wasmKernelsPath } from '../../../src/backend/node/wasm.js';

// The ids of a module's sections (the binary format: magic and version, then for each section its
// id, its size as unsigned LEB128, its bytes).
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  for (let at = 8; at < bytes.length; ) {
    ids.push(bytes[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += size;
  }
  return ids;
}

test('the kernels carry no data segment, which every helper thread instantiating the module would write again over memory in use', () => {
  for (const shared of [true, false])
    for (const fma of [true, false]) {
      const ids = sectionIds(readFileSync(wasmKernelsPath(shared, fma)));
      assert.ok(ids.includes(10), 'the parse found the code section');
      assert.ok(!ids.includes(11), `${wasmKernelsPath(shared, fma)} has a data section`);
    }
});

test('the default thread count is the machine’s cores', () => {
  assert.ok(Number.isInteger(defaultThreads()) && defaultThreads() >= 1);
});
