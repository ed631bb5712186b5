import type { Tensor } from '../tensor/tensor.js';

/** A number with `precision` decimals, minus signs as the true minus so columns line up. */
export function formatNumber(v: number, precision: number): string {
  const s = (Object.is(v, -0) ? 0 : v).toFixed(precision);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/**
 * A tensor as lines of text: a scalar as a number, a vector or one row as `(0.9000 0.4000)`,
 * a matrix as bracketed rows with aligned columns.
 *
 * @example
 * formatTensor(Tensor.from([[0.9, 0.4]]), 4); // ['(0.9000 0.4000)']
 */
export function formatTensor(t: Tensor, precision = 4): string[] {
  if (t.rank === 0) return [formatNumber(t.data[0], precision)];
  const cols = t.shape[t.rank - 1];
  const rows = t.size / cols;
  const cells = Array.from(t.data, (v) => formatNumber(v, precision));
  if (rows === 1) return [`(${cells.join(' ')})`];
  const width = Math.max(...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = cells.slice(i * cols, (i + 1) * cols).map((c) => c.padStart(width));
    const [open, close] = rows === 1 ? ['[', ']'] : i === 0 ? ['⎡', '⎤'] : i === rows - 1 ? ['⎣', '⎦'] : ['⎢', '⎥'];
    lines.push(`${open} ${row.join('  ')} ${close}`);
  }
  return lines;
}

/** `name = formula-rhs = value`, continuing a multi-line value under its first line. */
export function formatEquation(lhs: string, value: Tensor, precision = 4): string[] {
  const lines = formatTensor(value, precision);
  const pad = ' '.repeat(lhs.length + 3);
  return lines.map((line, i) => (i === 0 ? `${lhs} = ${line}` : `${pad}${line}`));
}
