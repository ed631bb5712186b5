import type { Piece } from '../layers/steps.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Explanation } from './explain.js';
import { formatNumber, tensorTex } from './format.js';
import { LABELS, type Lang, layerHeading } from './labels.js';
import { maskOf } from './render-text.js';
import type { Trace, TraceStep } from './trace.js';

/** A step or value name in LaTeX: z1 → z_{1}, dW2 → dW_{2}, loss → L. */
export function nameTex(name: string): string {
  if (name === 'loss') return 'L';
  const m = /^(d?)([A-Za-z]+?)(\d+)$/.exec(name);
  return m ? `${m[1]}${m[2]}_{${m[3]}}` : name;
}

/** Formula text in LaTeX: the Unicode operators of the text form as their commands. */
function textTex(s: string): string {
  return (
    s
      .replace(/·log /g, ' \\log ')
      .replace(/·/g, ' \\cdot ')
      .replace(/⊙/g, '\\odot')
      .replace(/−/g, '-')
      .replace(/σ\(/g, '\\sigma(')
      .replace(/Σ /g, '\\sum ')
      .replace(/softmax\(/g, '\\operatorname{softmax}(')
      .replace(/relu\(/g, '\\operatorname{relu}(')
      .replace(/tanh\(/g, '\\tanh(')
      .replace(/²/g, '^{2}')
      .replace(/√/g, '\\sqrt')
      .replace(/x̂/g, '\\hat{x}')
      .replace(/μ/g, '\\mu ')
      .replace(/ε/g, '\\varepsilon ')
      .replace(/ᵀ/g, '^\\top')
      // other functions, such as conv( or Convolution.backward(, as upright names
      .replace(/(?<![\\A-Za-z])([A-Za-z][A-Za-z0-9.]+)\(/g, '\\operatorname{$1}(')
  );
}

/** A formula's pieces in LaTeX, with names (`values` absent) or with the numbers put in. */
function piecesTex(pieces: Piece[], operands: string[], tr: Trace, precision: number, values: boolean): string {
  return pieces
    .map((p) => {
      if (typeof p === 'string') return textTex(p);
      if ('batch' in p) return values ? String(tr.batch) : 'N';
      const name = operands[p.operand];
      const value = tr.values.get(name) as Tensor;
      if (p.mask) return values ? tensorTex(maskOf(value), 0) : `[${nameTex(name)} > 0]`;
      const body = values ? tensorTex(value, precision) : nameTex(name);
      return p.transpose ? `${body}^\\top` : body;
    })
    .join('');
}

/** One step as display math: its formula, the formula with the numbers put in, its value. */
export function stepTex(step: TraceStep, tr: Trace, precision = 4): string {
  const pieces = step.pieces;
  const symbolic = piecesTex(pieces, step.operands, tr, precision, false);
  const numeric = piecesTex(pieces, step.operands, tr, precision, true);
  return `$$${nameTex(step.name)} = ${symbolic} = ${numeric} = ${tensorTex(step.value, precision)}$$`;
}

/** The explanation as Markdown with `$$…$$` display math that KaTeX or MathJax renders. */
export function explanationToMarkdown(e: Explanation, { precision = 4, lang = 'en' as Lang } = {}): string {
  const l = LABELS[lang];
  const tr = e.trace;
  const out: string[] = [`# ${l.title}`, '', `## ${l.setting}`, ''];
  const equation = (lhs: string, value: Tensor): void => {
    out.push(`$$${lhs} = ${tensorTex(value, precision)}$$`, '');
  };
  equation('x', tr.values.get('x') as Tensor);
  equation('t', tr.values.get('t') as Tensor);
  out.push(`${l.input} $x$, ${l.label} $t$, ${l.batch} $N = ${tr.batch}$`, '');
  for (const p of e.paramNames) equation(nameTex(p), tr.values.get(p) as Tensor);

  out.push(`## ${l.forward}`, '');
  const affines = tr.steps.filter((s) => s.section === 'layer').length;
  let k = 0;
  for (const step of tr.steps.filter((s) => s.phase === 'forward')) {
    if (step.section === 'layer') out.push(`### ${layerHeading(++k, affines, lang)}`, '');
    if (step.section === 'softmax') out.push(`### ${l.softmax}`, '');
    if (step.section === 'loss') out.push(`### ${l.loss}`, '');
    out.push(stepTex(step, tr, precision), '');
  }

  out.push(`## ${l.backward}`, '');
  let layer: string | undefined;
  for (const step of tr.steps.filter((s) => s.phase === 'backward')) {
    if (step.layer !== layer) {
      layer = step.layer;
      out.push(`### ${step.section === 'loss' ? l.lossGradient : l.layerBackward(layer ?? '')}`, '');
    }
    out.push(stepTex(step, tr, precision), '');
  }

  out.push(`## ${l.gradients}`, '');
  for (const p of e.paramNames) {
    const g = tr.values.get(`d${p}`);
    if (g) equation(nameTex(`d${p}`), g);
  }
  if (e.update) {
    const { lr, params, lossAfter } = e.update;
    out.push(`## ${l.update}`, '', `$$W \\leftarrow W - \\eta \\, dW, \\quad \\eta = ${lr}$$`, '');
    for (const p of e.paramNames) equation(`${nameTex(p)} \\leftarrow ${nameTex(p)} - \\eta \\, ${nameTex(`d${p}`)}`, params[p]);
    out.push(`${l.lossAfter}: $L = ${formatNumber(lossAfter, precision)}$ (${l.before}: $${formatNumber(tr.loss, precision)}$)`, '');
  }
  return `${out.join('\n').replace(/−/g, '-')}\n`;
}
