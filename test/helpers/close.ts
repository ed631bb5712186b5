import assert from 'node:assert/strict';
import type { Nested } from '../../src/tensor/tensor.js';

/** Asserts that two numbers or nested arrays have the same shape and agree within `tolerance` (absolute). */
export function assertClose(actual: Nested | undefined, expected: Nested, tolerance = 1e-12, path = 'value'): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: expected a number, got ${JSON.stringify(actual)}`);
    const diff = Math.abs((actual as number) - expected);
    assert.ok(diff <= tolerance, `${path}: ${actual} differs from ${expected} by ${diff} > ${tolerance}`);
    return;
  }
  assert.ok(Array.isArray(actual), `${path}: expected an array of ${expected.length}, got ${JSON.stringify(actual)}`);
  assert.equal(actual.length, expected.length, `${path}: length ${actual.length}, expected ${expected.length}`);
  for (const [i, e] of expected.entries()) assertClose(actual[i], e, tolerance, `${path}[${i}]`);
}
