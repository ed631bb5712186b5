import assert from 'node:assert/strict';
import { test } from 'node:test';
import { col2im, im2col, slidingWindow } from '../../src/tensor/im2col.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/gradcheck.js';

test('im2col lays each window out as a row, (c, fh, fw) along the row, zeros for the padding', () => {
  const x = Tensor.from([
    [
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
    ],
  ]);
  const win = slidingWindow('test', x.shape, 'a 2×2 window', 2, 2, 1, 0);
  const col = Tensor.zeros([4, 4]);
  im2col(x.data, win, col.data);
  assert.deepEqual(col.toArray(), [
    [1, 2, 4, 5],
    [2, 3, 5, 6],
    [4, 5, 7, 8],
    [5, 6, 8, 9],
  ]);
  const padded = slidingWindow('test', x.shape, 'a 2×2 window', 2, 2, 1, 1);
  const colPadded = Tensor.zeros([16, 4]);
  im2col(x.data, padded, colPadded.data);
  assert.deepEqual((colPadded.toArray() as number[][])[0], [0, 0, 0, 1]);
  assert.deepEqual((colPadded.toArray() as number[][])[15], [9, 0, 0, 0]);
});

test('col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩', () => {
  const x = randomTensor([2, 3, 5, 4], 1);
  const win = slidingWindow('test', x.shape, 'a 3×2 window', 3, 2, 2, 1);
  const rows = win.n * win.oh * win.ow;
  const col = Tensor.zeros([rows, 3 * 3 * 2]);
  im2col(x.data, win, col.data);
  const c = randomTensor([rows, 18], 2);
  const back = Tensor.zeros(x.shape);
  col2im(c.data, win, back.data);
  let left = 0;
  let right = 0;
  for (let i = 0; i < col.size; i++) left += col.data[i] * c.data[i];
  for (let i = 0; i < x.size; i++) right += x.data[i] * back.data[i];
  assert.ok(Math.abs(left - right) < 1e-10, `${left} vs ${right}`);
});
