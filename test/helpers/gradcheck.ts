import assert from 'node:assert/strict';
import type { Layer } from '../../src/layers/layer.js';
import { compareGradients, numericalGradient } from '../../src/nets/numerical-gradient.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

/**
 * The one numerical-gradient check every layer's test uses (float64, central differences): the
 * layer's backward, given a fixed random dout, must match the numerical gradient of Σ out ⊙ dout
 * with respect to x and to every parameter, to a relative difference of at most `tolerance`.
 */
export function checkLayerGradients(layer: Layer, x: Tensor, { seed = 1, tolerance = 1e-7, train = false } = {}): void {
  const out = layer.forward(x, train);
  const rng = new Rng(seed);
  const dout = Tensor.zeros(out.shape);
  for (let i = 0; i < dout.size; i++) dout.data[i] = rng.normal();
  const doutBefore = dout.clone();
  const f = (): number => {
    const y = layer.forward(x, train);
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i] * dout.data[i];
    return s;
  };
  f();
  const dx = layer.backward(dout).clone();
  const grads = Object.fromEntries(Object.entries(layer.grads as Record<string, Tensor>).map(([k, g]) => [k, g.clone()]));
  assert.deepEqual(dout.data, doutBefore.data, `${layer.type}.backward changed dout`);
  assert.deepEqual(dx.shape, x.shape, `${layer.type}.backward: dx shape differs from x`);
  const dxNumerical = numericalGradient(f, x);
  assert.ok(
    compareGradients(dx, dxNumerical).relative <= tolerance,
    `${layer.type}: dx relative difference ${compareGradients(dx, dxNumerical).relative}`,
  );
  for (const [name, param] of Object.entries(layer.params as Record<string, Tensor>)) {
    assert.deepEqual(grads[name].shape, param.shape, `${layer.type}: d${name} shape differs from ${name}`);
    const numerical = numericalGradient(f, param);
    const { relative } = compareGradients(grads[name], numerical);
    assert.ok(relative <= tolerance, `${layer.type}: d${name} relative difference ${relative} > ${tolerance}`);
  }
}

/** A tensor of normal samples, seeded. */
export function randomTensor(shape: number[], seed = 0, scale = 1): Tensor {
  const rng = new Rng(seed);
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = scale * rng.normal();
  return t;
}
