import type { Explanation } from '../../src/explain/explain.js';
import { formatTensor } from '../../src/explain/format.js';
import type { Tensor } from '../../src/tensor/tensor.js';

interface GraphNode {
  id: string;
  title: string;
  sub: string;
  /** Parameter gradients shown under the node (dW1, db1). */
  grads: string[];
}

interface GraphEdge {
  forward: string;
  backward: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The nodes and edges of a pass, from its trace: x → each layer → the loss layer → L. */
export function graphOf(e: Explanation): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const forward = e.trace.steps.filter((s) => s.phase === 'forward' && s.layer);
  const nodes: GraphNode[] = [{ id: 'x', title: 'x', sub: '', grads: [] }];
  const edges: GraphEdge[] = [];
  let previous = 'x';
  for (const step of forward) {
    const type = (step.layer ?? '').replace(/#\d+$/, '');
    const k = step.section === 'layer' ? step.name.slice(1) : '';
    const sub = step.section === 'layer' ? `W${k}, b${k}` : step.section === 'softmax' ? 't' : '';
    nodes.push({ id: step.layer ?? step.name, title: type, sub, grads: k ? [`dW${k}`, `db${k}`] : [] });
    edges.push({ forward: previous, backward: previous === 'x' ? 'dx' : `d${previous}` });
    previous = step.name === 'y' ? (step.operands[0] ?? previous) : step.name;
  }
  // The loss layer reads the scores (its input) and gives L; the gradient of L with respect to itself is 1.
  nodes.push({ id: 'L', title: 'L', sub: '', grads: [] });
  edges.push({ forward: 'loss', backward: '1' });
  return { nodes, edges };
}

/**
 * The computational graph as SVG, as the book draws it: values flowing forward above the arrows
 * (blue), gradients flowing back below them (red); horizontal, or vertical for a narrow screen.
 */
export function graphSvg(e: Explanation, active: string | undefined, vertical: boolean, precision = 4): string {
  const { nodes, edges } = graphOf(e);
  const value = (name: string): string[] => {
    if (name === '1') return ['1'];
    const t = e.trace.values.get(name) as Tensor | undefined;
    return t ? formatTensor(t, precision) : [name];
  };
  const nodeW = 124;
  const nodeH = 60;
  const gap = vertical ? 100 : 140;
  const step = (vertical ? nodeH : nodeW) + gap;
  const gradLines = Math.max(0, ...nodes.map((n) => n.grads.reduce((c, g) => c + value(g).length, 0)));
  const width = vertical ? 560 : nodes.length * nodeW + (nodes.length - 1) * gap + 20;
  const height = vertical ? nodes.length * nodeH + (nodes.length - 1) * gap + 20 : nodeH + 70 + gradLines * 16 + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="15">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
  ];
  const origin = (i: number): [number, number] => (vertical ? [160, 10 + i * step] : [10 + i * step, 40]);
  const lines = (x: number, y: number, text: string[], cls: string, anchor = 'middle', dy = 16): string =>
    text.map((line, i) => `<text class="${cls}" x="${x}" y="${y + i * dy}" text-anchor="${anchor}" font-family="ui-monospace, monospace" font-size="14" xml:space="preserve">${esc(line)}</text>`).join('');
  nodes.forEach((n, i) => {
    const [x, y] = origin(i);
    const cls = n.id === active ? 'node active' : 'node';
    parts.push(`<g class="${cls}" data-node="${esc(n.id)}"><rect x="${x}" y="${y}" width="${nodeW}" height="${nodeH}" rx="8"/>`);
    parts.push(`<text x="${x + nodeW / 2}" y="${y + (n.sub ? 24 : 33)}" text-anchor="middle" font-weight="600" font-size="${n.title.length > 12 ? 13 : 16}">${esc(n.title)}</text>`);
    if (n.sub) parts.push(`<text x="${x + nodeW / 2}" y="${y + 42}" text-anchor="middle">${esc(n.sub)}</text>`);
    parts.push('</g>');
    let gy = vertical ? y + 14 : y + nodeH + 60;
    for (const g of n.grads) {
      const v = value(g);
      v[0] = `${g} = ${v[0]}`;
      for (let j = 1; j < v.length; j++) v[j] = `${' '.repeat(g.length + 3)}${v[j]}`;
      parts.push(vertical ? lines(x + nodeW + 12, gy, v, 'bwd', 'start') : lines(x + nodeW / 2, gy, v, 'bwd'));
      gy += v.length * 16;
    }
  });
  edges.forEach((edge, i) => {
    const [x0, y0] = origin(i);
    const [x1, y1] = origin(i + 1);
    if (vertical) {
      const cx = x0 + nodeW / 2;
      parts.push(`<line x1="${cx}" y1="${y0 + nodeH}" x2="${cx}" y2="${y1 - 2}" stroke="#444" stroke-width="1.5" marker-end="url(#arrow)"/>`);
      const mid = (y0 + nodeH + y1) / 2;
      const f = value(edge.forward);
      const b = value(edge.backward);
      parts.push(lines(cx - 10, mid - ((f.length - 1) * 16) / 2 + 4, f, 'fwd', 'end'));
      parts.push(lines(cx + 10, mid - ((b.length - 1) * 16) / 2 + 4, b, 'bwd', 'start'));
    } else {
      const cy = y0 + nodeH / 2;
      parts.push(`<line x1="${x0 + nodeW}" y1="${cy}" x2="${x1 - 2}" y2="${cy}" stroke="#444" stroke-width="1.5" marker-end="url(#arrow)"/>`);
      const mid = (x0 + nodeW + x1) / 2;
      const f = value(edge.forward);
      const b = value(edge.backward);
      parts.push(lines(mid, cy - 8 - (f.length - 1) * 16, f, 'fwd'));
      parts.push(lines(mid, cy + 22, b, 'bwd'));
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
