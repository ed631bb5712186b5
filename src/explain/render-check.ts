import type { Tensor } from '../tensor/tensor.js';
import type { CheckResult, StepVerdict } from './check.js';
import { formatNumber, width } from './format.js';
import { LABELS, type Lang } from './labels.js';

/** A value on one line: `0.632`, `(−0.468 0.468)`, `(−0.333 0.333; −0.280 0.280)`. */
export function inline(t: Tensor, decimals: number): string {
  if (t.rank === 0 || t.size === 1) return formatNumber(t.data[0], decimals);
  const cols = t.shape[t.rank - 1];
  const rows: string[] = [];
  for (let i = 0; i < t.size / cols; i++)
    rows.push(Array.from(t.data.subarray(i * cols, (i + 1) * cols), (v) => formatNumber(v, decimals)).join(' '));
  return `(${rows.join('; ')})`;
}

/** The claim as the learner wrote it, on one line. */
function written(v: StepVerdict): string {
  const flat = (n: unknown): string =>
    Array.isArray(n) ? n.map(flat).join(Array.isArray(n[0]) ? '; ' : ' ') : String(n).replace(/^-/, '−');
  return Array.isArray(v.claim.written) ? `(${flat(v.claim.written)})` : flat(v.claim.written);
}

/** One plain sentence on a step that is not ok, in English or Korean. */
export function verdictMessage(v: StepVerdict, lang: Lang, batch: number): string {
  const d = v.claim.decimals;
  const yours = inline(v.fromYours, d);
  const correct = inline(v.expected, d);
  const rhs = v.formula.slice(v.formula.indexOf(' = ') + 3);
  const slip = v.mistake ? `${v.mistake.formula.slice(v.mistake.formula.indexOf(' = ') + 3)} = ${written(v)}` : '';
  const ko = lang === 'ko';
  if (v.status === 'ok') return ko ? '맞습니다.' : 'correct.';
  if (v.status === 'carried') {
    const from = v.carriedFrom.join(', ');
    return ko
      ? `앞 단계 ${from}의 오류가 이어졌습니다: 내 값으로 계산하면 ${rhs} = ${yours} 이므로 계산 방법은 맞습니다 (정답 ${correct}).`
      : `carried from your ${from}: ${rhs} of your own values gives ${yours}, so the method is right; the error came from upstream (correct: ${correct}).`;
  }
  switch (v.diagnosis) {
    case 'missing-transpose':
      return ko
        ? `전치(ᵀ)가 빠졌습니다: 계산한 식 ${slip}, 올바른 식 ${rhs} (정답 ${correct}).`
        : `missing transpose: you computed ${slip} where ${rhs} belongs (correct: ${correct}).`;
    case 'wrong-sign':
      return ko
        ? `부호가 반대입니다: 계산한 식 ${slip}, 올바른 식 ${rhs} (정답 ${correct}).`
        : `wrong sign: you computed ${slip} where ${rhs} belongs (correct: ${correct}).`;
    case 'no-batch-average':
      return ko
        ? `배치 크기 N = ${batch}로 나누지 않아 ${batch}배 큽니다: 올바른 식 ${rhs} (정답 ${correct}).`
        : `no batch average: ${batch} times too large, the division by the batch size N = ${batch} in ${rhs} is missing (correct: ${correct}).`;
    case 'sigmoid-derivative-of-z':
      return ko
        ? `시그모이드의 미분을 입력 z로 계산했습니다: 계산한 식 ${slip}, 올바른 식 ${rhs} — σ'(z) = σ(z)(1 − σ(z))는 출력으로 계산합니다 (정답 ${correct}).`
        : `sigmoid derivative of z: you computed ${slip}, but σ'(z) = σ(z)(1 − σ(z)) takes the sigmoid's output: ${rhs} (correct: ${correct}).`;
    default:
      return ko
        ? `계산 실수입니다: 내 값으로 계산하면 ${rhs} = ${yours} 입니다 (정답 ${correct}).`
        : `arithmetic: from your own values ${rhs} gives ${yours}, not what you wrote (correct: ${correct}).`;
  }
}

const MARK = { ok: '✓', carried: '↪', wrong: '✗' } as const;
const COLOR = { ok: '32', carried: '33', wrong: '31' } as const;

/** The check as a table of steps with ✓ / ↪ / ✗, then one sentence per step that is not ok. */
export function checkToText(result: CheckResult, { lang = 'en' as Lang, color = false } = {}): string {
  const l = LABELS[lang];
  const paint = (code: string, s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const rows = result.steps.map((v) => [v.name, `${MARK[v.status]} ${l[v.status]}`, written(v), inline(v.expected, v.claim.decimals)]);
  const header = [l.step, l.status, l.claimed, l.correct];
  const widths = header.map((h, j) => Math.max(width(h), ...rows.map((r) => width(r[j]))));
  const line = (cells: string[]): string =>
    cells
      .map((c, j) => c + ' '.repeat(widths[j] - width(c)))
      .join('  ')
      .trimEnd();
  const out = [paint('1', l.check), '', paint('1', line(header))];
  result.steps.forEach((v, i) => {
    const cells = rows[i];
    const padded = line(cells);
    out.push(padded.replace(cells[1], paint(COLOR[v.status], cells[1])));
  });
  out.push('');
  for (const v of result.steps) {
    if (v.status !== 'ok') out.push(`${paint(COLOR[v.status], `${MARK[v.status]} ${v.name}`)}: ${verdictMessage(v, lang, result.batch)}`);
  }
  const { ok, carried, wrong } = result.summary;
  out.push('', l.summary(ok, carried, wrong));
  return `${out.join('\n')}\n`;
}

/** The check as data: each step's name, status, claimed and expected values, diagnosis and message. */
export function checkToJSON(result: CheckResult, lang: Lang = 'en'): unknown {
  return {
    steps: result.steps.map((v) => ({
      name: v.name,
      status: v.status,
      claimed: v.claim.value.rank === 0 ? v.claim.value.data[0] : v.claim.value.toArray(),
      expected: v.expected.rank === 0 ? v.expected.data[0] : v.expected.toArray(),
      ...(v.diagnosis ? { diagnosis: v.diagnosis } : {}),
      message: verdictMessage(v, lang, result.batch),
    })),
    summary: result.summary,
  };
}
