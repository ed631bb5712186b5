import type { Piece } from '../layers/steps.js';
import { Tensor } from '../tensor/tensor.js';
import type { Explanation } from './explain.js';
import { formatNumber, formatTensor, sideBySide } from './format.js';
import { LABELS, type Lang, layerHeading } from './labels.js';
import type { Trace, TraceStep } from './trace.js';

export interface TextOptions {
  precision?: number;
  lang?: Lang;
  /** ANSI colours, for a terminal. */
  color?: boolean;
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** The mask [z > 0] as ones and zeros. */
export function maskOf(t: Tensor): Tensor {
  const mask = Tensor.zeros(t.shape);
  for (let i = 0; i < t.size; i++) mask.data[i] = t.data[i] > 0 ? 1 : 0;
  return mask;
}

/** A formula's pieces with the numbers put in, as blocks of lines side by side. */
export function substituted(pieces: Piece[], operands: Tensor[], batch: number, precision: number): string[] {
  return sideBySide(
    pieces.map((p, i) => {
      if (typeof p === 'string') return [p];
      if ('batch' in p) return [String(batch)];
      const value = operands[p.operand];
      if (p.mask) return formatTensor(maskOf(value), 0);
      const block = formatTensor(value, precision);
      if (p.transpose) block[0] += 'ᵀ';
      // σ((0.9 0.4)) reads better as σ(0.9 0.4)
      const before = pieces[i - 1];
      const after = pieces[i + 1];
      const wrapped = typeof before === 'string' && before.endsWith('(') && typeof after === 'string' && after.startsWith(')');
      if (wrapped && block.length === 1 && block[0].startsWith('(') && block[0].endsWith(')')) return [block[0].slice(1, -1)];
      return block;
    }),
  );
}

/** The lines of one step: its formula, the formula with the numbers put in, and the value. */
function stepLines(step: TraceStep, tr: Trace, precision: number, name: (s: string) => string, formula: (s: string) => string): string[] {
  const rhs = step.formula.slice(step.formula.indexOf(' = ') + 3);
  const lhs = `${name(step.name)} = ${formula(rhs)}`;
  const indent = ' '.repeat(step.name.length + 1);
  const operands = step.operands.map((n) => tr.values.get(n) as Tensor);
  const numbers = substituted(step.pieces, operands, tr.batch, precision);
  const result = formatTensor(step.value, precision);
  const lines = [lhs, ...sideBySide([[`${indent}= `], numbers])];
  lines.push(...sideBySide([[`${indent}= `], result]));
  return lines;
}

/**
 * The explanation for a terminal: every step with its formula, its numbers and its value, in
 * English or Korean, matrices aligned, large ones elided.
 */
export function explanationToText(e: Explanation, { precision = 4, lang = 'en', color = false }: TextOptions = {}): string {
  const l = LABELS[lang];
  const tr = e.trace;
  const heading = paint(color, '1;4');
  const sub = paint(color, '1');
  const name = paint(color, '1;33');
  const formula = paint(color, '36');
  const out: string[] = [];
  const equation = (lhs: string, value: Tensor, digits = precision): void => {
    const elided = value.rank > 0 && (value.shape[value.rank - 1] > 6 || value.size / value.shape[value.rank - 1] > 6);
    const label = elided ? `${name(lhs)} (${value.shape.join('×')})` : name(lhs);
    out.push(...sideBySide([[`  ${label} = `], formatTensor(value, digits)]));
  };

  out.push(heading(l.setting));
  equation('x', tr.values.get('x') as Tensor);
  const t = tr.values.get('t') as Tensor;
  equation('t', t, t.rank === 1 ? 0 : precision); // class indices are whole numbers
  out.push(`  (${l.input} x, ${l.label} t, ${l.batch} N = ${tr.batch})`);
  for (const p of e.paramNames) equation(p, tr.values.get(p) as Tensor);

  out.push('', heading(l.forward));
  const affines = tr.steps.filter((s) => s.section === 'layer').length;
  let k = 0;
  for (const step of tr.steps.filter((s) => s.phase === 'forward')) {
    if (step.section === 'layer') out.push(sub(` ${layerHeading(++k, affines, lang)}`));
    if (step.section === 'softmax') out.push(sub(` ${l.softmax}`));
    if (step.section === 'loss') out.push(sub(` ${l.loss}`));
    out.push(...stepLines(step, tr, precision, name, formula).map((line) => `  ${line}`));
  }

  out.push('', heading(l.backward));
  let layer: string | undefined;
  for (const step of tr.steps.filter((s) => s.phase === 'backward')) {
    if (step.layer !== layer) {
      layer = step.layer;
      out.push(sub(` ${step.section === 'loss' ? l.lossGradient : l.layerBackward(layer ?? '')}`));
    }
    out.push(...stepLines(step, tr, precision, name, formula).map((line) => `  ${line}`));
  }

  out.push('', heading(l.gradients));
  for (const p of e.paramNames) {
    const g = tr.values.get(`d${p}`);
    if (g) equation(`d${p}`, g);
  }

  if (e.update) {
    const { lr, params, lossAfter } = e.update;
    out.push('', heading(`${l.update}: W ← W − lr·dW, ${l.learningRate} lr = ${lr}`));
    for (const p of e.paramNames) equation(`${p} ← ${p} − lr·d${p}`, params[p]);
    out.push(`  ${l.lossAfter} = ${formatNumber(lossAfter, precision)} (${l.before}: ${formatNumber(tr.loss, precision)})`);
  }
  return `${out.join('\n')}\n`;
}
