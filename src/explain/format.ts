import type { Tensor } from '../tensor/tensor.js';

/** A number with `precision` decimals, with the true minus sign so that columns line up. */
export function formatNumber(v: number, precision: number): string {
  const s = (Object.is(v, -0) ? 0 : v).toFixed(precision);
  return s.startsWith('-') && Number(s) !== 0 ? `−${s.slice(1)}` : s.replace(/^-/, '');
}

/** Rows or columns to show of `count`: all when few, else the first three, a gap (−1), the last two. */
export function shownIndices(count: number, max = 6): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return [0, 1, 2, -1, count - 2, count - 1];
}

/** A tensor's cells as rows of strings, large ones elided with `gap` (and `vgap`, `dgap` for rows). */
export function cells(t: Tensor, precision: number, gaps = { h: '…', v: '⋮', d: '⋱' }): string[][] {
  if (t.rank === 0) return [[formatNumber(t.data[0], precision)]];
  const cols = t.shape[t.rank - 1];
  const rows = t.size / cols;
  return shownIndices(rows).map((i) =>
    shownIndices(cols).map((j) => {
      if (i < 0) return j < 0 ? gaps.d : gaps.v;
      if (j < 0) return gaps.h;
      return formatNumber(t.data[i * cols + j], precision);
    }),
  );
}

/**
 * A tensor as lines of text: a scalar as a number, one row as `(0.9000 0.4000)`, a matrix as
 * bracketed rows with aligned columns; more than six rows or columns are elided.
 *
 * @example
 * formatTensor(Tensor.from([[0.9, 0.4]]), 4); // ['(0.9000 0.4000)']
 */
export function formatTensor(t: Tensor, precision = 4): string[] {
  const grid = cells(t, precision);
  if (t.rank === 0) return grid[0];
  if (grid.length === 1) return [`(${grid[0].join(' ')})`];
  const widths = grid[0].map((_, j) => Math.max(...grid.map((row) => row[j].length)));
  return grid.map((row, i) => {
    const [open, close] = i === 0 ? ['⎡', '⎤'] : i === grid.length - 1 ? ['⎣', '⎦'] : ['⎢', '⎥'];
    return `${open} ${row.map((c, j) => c.padStart(widths[j])).join('  ')} ${close}`;
  });
}

/** Visible width of a line in a terminal: ANSI colour codes take no room, Hangul and CJK take two columns. */
export function width(line: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is stripped
  const chars = [...line.replace(/\u001b\[[0-9;]*m/g, '')];
  return chars.reduce((w, c) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/.test(c) ? 2 : 1), 0);
}

/** Blocks of lines side by side, each centred vertically on the tallest. */
export function sideBySide(blocks: string[][]): string[] {
  const height = Math.max(...blocks.map((b) => b.length));
  const padded = blocks.map((block) => {
    const w = Math.max(...block.map(width));
    const top = Math.floor((height - block.length) / 2);
    return Array.from({ length: height }, (_, i) => {
      const line = block[i - top] ?? '';
      return line + ' '.repeat(w - width(line));
    });
  });
  return Array.from({ length: height }, (_, i) =>
    padded
      .map((b) => b[i])
      .join('')
      .trimEnd(),
  );
}

/** A tensor in LaTeX: a number, or a pmatrix with \cdots, \vdots and \ddots where it is elided. */
export function tensorTex(t: Tensor, precision = 4): string {
  const grid = cells(t, precision, { h: '\\cdots', v: '\\vdots', d: '\\ddots' }).map((row) => row.map((c) => c.replace('−', '-')));
  if (t.rank === 0) return grid[0][0];
  return `\\begin{pmatrix} ${grid.map((row) => row.join(' & ')).join(' \\\\ ')} \\end{pmatrix}`;
}
