// `node bench/steadiness.mjs [seconds]`: how steady this machine's speed is. A fixed chain of
// dependent integer operations is timed slice after slice (about 20 ms each); a slice much slower
// than the median is the machine slowing down, not the code. A workload of ~10 ms a run (W4's
// 10,000 images) can fall into such a spell whole. Prints the median slice, the slowest, and the
// spells of slices more than 20% slower than the median.
const seconds = Number(process.argv[2] ?? 20);

function chain(n) {
  let a = 1;
  for (let i = 0; i < n; i++) a = (a * 3 + i) | 0;
  return a;
}

// size a slice to about 20 ms
let n = 1e6;
for (let t = 0; t < 20; ) {
  const start = performance.now();
  chain(n);
  t = performance.now() - start;
  if (t < 20) n = Math.ceil((n * 20) / Math.max(t, 0.5));
}
const slices = [];
const begin = performance.now();
while (performance.now() - begin < seconds * 1000) {
  const start = performance.now();
  chain(n);
  slices.push([start - begin, performance.now() - start]);
}
const sorted = slices.map(([, t]) => t).sort((a, b) => a - b);
const median = sorted[sorted.length >> 1];
console.log(
  `${slices.length} slices of ${n.toLocaleString('en')} operations: median ${median.toFixed(2)} ms, slowest ${sorted.at(-1).toFixed(2)} ms (${(sorted.at(-1) / median).toFixed(2)}×)`,
);
let spell;
const spells = [];
for (const [at, t] of slices) {
  if (t > 1.2 * median) {
    spell ??= { from: at, to: at, worst: 0 };
    spell.to = at + t;
    spell.worst = Math.max(spell.worst, t / median);
  } else if (spell) {
    spells.push(spell);
    spell = undefined;
  }
}
if (spell) spells.push(spell);
for (const s of spells)
  console.log(
    `  at ${(s.from / 1000).toFixed(1)} s: a spell of ${Math.round(s.to - s.from)} ms, slices up to ${s.worst.toFixed(2)}× the median`,
  );
if (spells.length === 0) console.log('  no slice more than 20% slower than the median');
