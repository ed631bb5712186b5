import katex from 'katex';
import 'katex/dist/katex.min.css';
import seedNote from '../../examples/seed-note.json';
import { checkWork, parseWorked } from '../../src/explain/check.js';
import { type Explanation, explainPass } from '../../src/explain/explain.js';
import { formatNumber } from '../../src/explain/format.js';
import { inline, verdictMessage } from '../../src/explain/render-check.js';
import { stepTex } from '../../src/explain/render-markdown.js';
import { SEED_DATA, SEED_MODEL } from '../../src/explain/seed-example.js';
import { dataFromJSON } from '../../src/io/data-json.js';
import { modelFromJSON } from '../../src/io/model-json.js';
import type { Nested } from '../../src/tensor/tensor.js';
import { graphSvg } from './graph.js';
import { currentLang, labels, onLanguage, setupLanguage, t } from './i18n.js';

type Matrix = number[][];
interface State {
  x: Matrix;
  t: Matrix;
  W1: Matrix;
  b1: number[];
  W2: Matrix;
  b2: number[];
}

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const seedState = (): State => {
  const [a1, , a2] = SEED_MODEL.layers as unknown as { W: Matrix; b: number[] }[];
  return { x: copy(SEED_DATA.x), t: copy(SEED_DATA.t), W1: copy(a1.W), b1: copy(a1.b), W2: copy(a2.W), b2: copy(a2.b) };
};

let state = seedState();
let explanation: Explanation | undefined;
let stepIndex = 0;
const history: number[] = [];
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function modelJSON(s: State) {
  return {
    layers: [{ type: 'Affine', W: s.W1, b: s.b1 }, { type: 'Sigmoid' }, { type: 'Affine', W: s.W2, b: s.b2 }, { type: 'SoftmaxWithLoss' }],
  };
}

/** One pass of the current network, and with `lr` one SGD step (returning the new state). */
function run(s: State, lr?: number): { e: Explanation; next?: State } {
  const net = modelFromJSON(modelJSON(s));
  const { x, t: labels } = dataFromJSON({ x: s.x, t: s.t }, net);
  const e = explainPass(net, x, labels, lr);
  if (!e.update) return { e };
  const p = e.update.params;
  const next = { ...copy(s), W1: p.W1.toArray() as Matrix, b1: p.b1.toArray() as number[], W2: p.W2.toArray() as Matrix, b2: p.b2.toArray() as number[] };
  return { e, next };
}

// ---- the values: one labelled number field per entry
const PARAMS: (keyof State)[] = ['x', 't', 'W1', 'b1', 'W2', 'b2'];

function renderInputs(): void {
  const box = $('inputs');
  box.innerHTML = '';
  for (const name of PARAMS) {
    const value = state[name] as Nested[];
    const rows = (Array.isArray(value[0]) ? value : [value]) as number[][];
    const fieldset = document.createElement('fieldset');
    fieldset.className = 'param';
    fieldset.innerHTML = `<legend>${name}</legend>`;
    const grid = document.createElement('div');
    grid.className = 'grid';
    grid.style.gridTemplateColumns = `repeat(${rows[0].length}, auto)`;
    rows.forEach((row, i) => {
      row.forEach((v, j) => {
        const input = document.createElement('input');
        input.type = 'number';
        input.step = '0.1';
        input.inputMode = 'decimal';
        input.value = String(v);
        const index = Array.isArray(value[0]) ? `[${i}][${j}]` : `[${j}]`;
        input.setAttribute('aria-label', `${name}${index}`);
        input.id = `in-${name}-${i}-${j}`;
        input.addEventListener('input', () => {
          const n = Number(input.value);
          const ok = input.value.trim() !== '' && Number.isFinite(n);
          input.setAttribute('aria-invalid', String(!ok));
          if (!ok) return;
          if (Array.isArray(value[0])) (state[name] as Matrix)[i][j] = n;
          else (state[name] as number[])[j] = n;
          history.length = 0;
          update();
        });
        grid.append(input);
      });
    });
    fieldset.append(grid);
    box.append(fieldset);
  }
}

// ---- the graph, the loss, the gradients and the current step
function renderGradients(e: Explanation): void {
  const box = $('gradients');
  box.innerHTML = '';
  for (const p of e.paramNames) {
    const g = e.trace.values.get(`d${p}`);
    if (!g) continue;
    const table = document.createElement('table');
    table.innerHTML = `<caption>d${p}</caption>`;
    const cols = g.shape[g.rank - 1];
    for (let i = 0; i < g.size / cols; i++) {
      const tr = table.insertRow();
      for (let j = 0; j < cols; j++) {
        const td = tr.insertCell();
        td.id = `grad-d${p}-${i}-${j}`;
        td.textContent = formatNumber(g.data[i * cols + j], 4);
      }
    }
    box.append(table);
  }
}

function renderStep(): void {
  if (!explanation) return;
  const steps = explanation.trace.steps;
  stepIndex = Math.max(0, Math.min(stepIndex, steps.length - 1));
  const step = steps[stepIndex];
  const phase = step.phase === 'forward' ? labels().forward : labels().backward;
  $('step-name').textContent = `${stepIndex + 1} / ${steps.length} · ${phase} · ${step.name}`;
  $('step-math').innerHTML = katex.renderToString(stepTex(step, explanation.trace).replace(/^\$\$|\$\$$/g, ''), { displayMode: true, throwOnError: false });
  ($('prev') as HTMLButtonElement).disabled = stepIndex === 0;
  ($('next') as HTMLButtonElement).disabled = stepIndex === steps.length - 1;
  const active = step.layer ?? explanation.trace.steps.find((s) => s.section === 'softmax')?.layer;
  drawGraph(active);
}

function drawGraph(active?: string): void {
  if (!explanation) return;
  const vertical = $('graph').clientWidth < 900;
  $('graph').innerHTML = graphSvg(explanation, active, vertical);
}

function update(): void {
  try {
    explanation = run(state).e;
  } catch (error) {
    $('loss').textContent = (error as Error).message;
    return;
  }
  $('loss').textContent = formatNumber(explanation.trace.loss, 4);
  $('history').textContent = history.map((l) => formatNumber(l, 4)).join(' → ');
  renderGradients(explanation);
  renderStep();
}

// ---- check my work
function renderClaims(): void {
  const box = $('claims');
  box.innerHTML = '';
  for (const step of explanation?.trace.steps ?? []) {
    const label = document.createElement('label');
    label.innerHTML = `<span>${step.name}</span>`;
    const input = document.createElement('input');
    input.id = `claim-${step.name}`;
    input.setAttribute('aria-label', `${step.name}`);
    input.placeholder = step.value.rank === 2 && step.value.shape[0] > 1 ? 'a b; c d' : step.value.rank === 0 ? '0.632' : 'a b';
    label.append(input);
    box.append(label);
  }
}

/** A typed claim as the nested strings of the worked file: rows split by ';', numbers by spaces or commas. */
function parseTyped(text: string, shape: readonly number[]): Nested | string {
  const rows = text.split(/[;\n]/).map((r) => r.trim().split(/[\s,]+/).filter(Boolean));
  if (shape.length === 0) return rows[0]?.[0] ?? '';
  if (shape.length === 1) return rows.flat() as unknown as Nested;
  return rows as unknown as Nested;
}

function runCheck(): void {
  const box = $('verdicts');
  const claimed: Record<string, unknown> = {};
  for (const step of explanation?.trace.steps ?? []) {
    const text = ($(`claim-${step.name}`) as HTMLInputElement).value.trim();
    if (text) claimed[step.name] = parseTyped(text, step.value.shape);
  }
  const worked = { model: modelJSON(state), x: state.x, t: state.t, decimals: Number(($('decimals') as HTMLInputElement).value), claimed };
  let result: ReturnType<typeof checkWork>;
  try {
    result = checkWork(parseWorked(worked));
  } catch (error) {
    box.innerHTML = `<p role="alert">${(error as Error).message}</p>`;
    return;
  }
  const l = labels();
  const mark = { ok: '✓', carried: '↪', wrong: '✗' };
  const rows = result.steps
    .map(
      (v) =>
        `<tr data-step="${v.name}" data-status="${v.status}"${v.diagnosis ? ` data-diagnosis="${v.diagnosis}"` : ''}><td>${v.name}</td><td class="status">${mark[v.status]} ${l[v.status]}</td><td>${inline(v.claim.value, v.claim.decimals)}</td><td>${inline(v.expected, v.claim.decimals)}</td></tr>`,
    )
    .join('');
  const messages = result.steps
    .filter((v) => v.status !== 'ok')
    .map((v) => `<li data-status="${v.status}"><strong class="status">${mark[v.status]} ${v.name}</strong>: ${verdictMessage(v, currentLang(), result.batch)}</li>`)
    .join('');
  const { ok, carried, wrong } = result.summary;
  box.innerHTML = `<table class="verdicts"><thead><tr><th>${l.step}</th><th>${l.status}</th><th>${l.claimed}</th><th>${l.correct}</th></tr></thead><tbody>${rows}</tbody></table><ul class="messages">${messages}</ul><p id="summary">${l.summary(ok, carried, wrong)}</p>`;
}

function loadSeedNote(): void {
  state = seedState();
  history.length = 0;
  renderInputs();
  update();
  ($('decimals') as HTMLInputElement).value = String(seedNote.decimals);
  const claimed = seedNote.claimed as Record<string, unknown>;
  for (const [name, value] of Object.entries(claimed)) {
    const text = Array.isArray(value) ? (Array.isArray(value[0]) ? (value as string[][]).map((r) => r.join(' ')).join('; ') : (value as string[]).join(' ')) : String(value);
    ($(`claim-${name}`) as HTMLInputElement).value = text;
  }
  runCheck();
}

// ---- wiring
setupLanguage();
renderInputs();
update();
renderClaims();
onLanguage(() => {
  update();
  if ($('verdicts').innerHTML) runCheck();
});
$('prev').addEventListener('click', () => {
  stepIndex--;
  renderStep();
});
$('next').addEventListener('click', () => {
  stepIndex++;
  renderStep();
});
document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement) return;
  if (event.key === 'ArrowRight') $('next').click();
  if (event.key === 'ArrowLeft') $('prev').click();
});
$('sgd').addEventListener('click', () => {
  const lr = Number(($('lr') as HTMLInputElement).value);
  if (!(lr > 0)) return void $('lr').setAttribute('aria-invalid', 'true');
  $('lr').setAttribute('aria-invalid', 'false');
  const { e, next } = run(state, lr);
  if (!next || !e.update) return;
  if (history.length === 0) history.push(e.trace.loss);
  history.push(e.update.lossAfter);
  state = next;
  renderInputs();
  update();
});
$('reset').addEventListener('click', () => {
  state = seedState();
  history.length = 0;
  renderInputs();
  update();
});
$('check').addEventListener('click', runCheck);
$('load-seed').addEventListener('click', loadSeedNote);
$('clear-claims').addEventListener('click', () => {
  for (const input of $('claims').querySelectorAll('input')) input.value = '';
  $('verdicts').innerHTML = '';
});
window.addEventListener('resize', () => renderStep());
