import type { EpochRecord } from './trainer.js';

/** One line of a chart: its points, its legend text and its colour. */
export interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** y range; by default the data's. */
  yMin?: number;
  yMax?: number;
  /** x range; by default from 0 to the data's largest x. */
  xMax?: number;
  width?: number;
  height?: number;
  /** Where the legend sits inside the plot area (default top right). */
  legend?: 'top' | 'bottom';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round, readable tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function ticks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * A line chart as a standalone SVG document (no script, no external font): axes with ticks, one
 * polyline per series, a legend.
 *
 * @example
 * const svg = lineChart([{ label: 'loss', color: '#1f77b4', points: [[1, 2.3], [2, 1.1]] }],
 *   { title: 'Training loss', xLabel: 'iteration', yLabel: 'loss' });
 */
export function lineChart(series: Series[], options: ChartOptions): string {
  const { width = 640, height = 360 } = options;
  const margin = { left: 64, right: 20, top: 40, bottom: 48 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) all.push([0, options.yMin ?? 0], [1, options.yMax ?? 1]); // empty axes until data comes
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, xMin + 1, options.xMax ?? 0);
  let yMin = options.yMin ?? Math.min(...ys);
  let yMax = options.yMax ?? Math.max(...ys);
  if (!(yMax > yMin)) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number): number => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number): number => margin.top + (1 - (Math.min(Math.max(y, yMin), yMax) - yMin) / (yMax - yMin)) * plotH;
  const f = (v: number): string => v.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(options.title)}</text>`,
  ];
  for (const v of ticks(yMin, yMax)) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${f(sy(v))}" y2="${f(sy(v))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${f(sy(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  for (const v of ticks(xMin, xMax, 6)) {
    parts.push(`<line x1="${f(sx(v))}" x2="${f(sx(v))}" y1="${height - margin.bottom}" y2="${height - margin.bottom + 5}" stroke="#333"/>`);
    parts.push(`<text x="${f(sx(v))}" y="${height - margin.bottom + 18}" text-anchor="middle">${v}</text>`);
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${esc(options.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`,
  );
  const legendWidth = 40 + 6.5 * Math.max(...series.map((s) => s.label.length));
  const legendHeight = 8 + 18 * series.length;
  const lx = width - margin.right - legendWidth - 8;
  const top = options.legend === 'bottom' ? margin.top + plotH - legendHeight - 8 : margin.top + 8;
  for (const s of series) {
    const d = s.points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${d}"/>`);
    if (s.points.length <= 40)
      for (const [x, y] of s.points) parts.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="2.5" fill="${s.color}"/>`);
  }
  parts.push(
    `<rect x="${f(lx)}" y="${top}" width="${f(legendWidth)}" height="${legendHeight}" fill="white" fill-opacity="0.9" stroke="#ccc"/>`,
  );
  series.forEach((s, i) => {
    const ly = top + 18 + i * 18;
    parts.push(`<line x1="${f(lx + 8)}" x2="${f(lx + 30)}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`);
    parts.push(`<text x="${f(lx + 36)}" y="${ly}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Averages over windows of `window` points, so a noisy batch loss reads as a curve. */
export function smooth(values: ArrayLike<number>, window: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < values.length; start += window) {
    const end = Math.min(values.length, start + window);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    out.push([end, sum / (end - start)]);
  }
  return out;
}

/** The two charts of a training run, loss per iteration above accuracy per epoch, in one SVG. */
export function trainingPlot(losses: ArrayLike<number>, history: EpochRecord[]): string {
  const window = Math.max(1, Math.round(losses.length / 200));
  const last = history[history.length - 1];
  const percent = (v: number): string => `${(v * 100).toFixed(2)}%`;
  const loss = lineChart(
    [{ label: window > 1 ? `batch loss (mean of ${window})` : 'batch loss', color: '#1f77b4', points: smooth(losses, window) }],
    {
      title: 'Training loss',
      xLabel: 'iteration',
      yLabel: 'cross-entropy loss',
      yMin: 0,
    },
  );
  const accuracy = lineChart(
    [
      { label: 'train accuracy', color: '#2ca02c', points: history.map((r) => [r.epoch, r.trainAccuracy]) },
      { label: 'test accuracy', color: '#d62728', points: history.map((r) => [r.epoch, r.testAccuracy]) },
    ],
    {
      title: last ? `Accuracy (final: train ${percent(last.trainAccuracy)}, test ${percent(last.testAccuracy)})` : 'Accuracy',
      xLabel: 'epoch',
      yLabel: 'accuracy',
      yMin: Math.floor(Math.min(0.8, ...history.map((r) => r.testAccuracy)) * 10) / 10,
      yMax: 1,
      legend: 'bottom',
    },
  );
  const inner = (svg: string, dy: number): string =>
    svg.replace(/^<svg [^>]*>/, `<g transform="translate(0 ${dy})" font-family="sans-serif" font-size="12">`).replace(/<\/svg>\n$/, '</g>');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="720" viewBox="0 0 640 720">\n${inner(loss, 0)}\n${inner(accuracy, 360)}\n</svg>\n`;
}
