import fc from 'fast-check';
import { crc32 } from '../../src/io/crc32.js';

// How the fuzz tests break good files: the loaders' own (test/io/fuzz.test.ts) and the command
// line's (test/cli/fuzz-cli.test.ts).

/** The ways a good file is broken: truncated, bits flipped, bytes overwritten or appended, or just noise. */
export function mutations(seeds: Uint8Array[], fix: (bytes: Uint8Array) => Uint8Array = (b) => b): fc.Arbitrary<Uint8Array> {
  const seed = fc.constantFrom(...seeds);
  const mutated = fc.oneof(
    seed.chain((s) => fc.nat(s.length).map((n) => s.slice(0, n))),
    seed.chain((s) =>
      fc.array(fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((flips) => {
        const b = s.slice();
        for (const [at, bit] of flips) b[at] ^= 1 << bit;
        return b;
      }),
    ),
    seed.chain((s) =>
      fc.tuple(fc.nat(s.length - 1), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, patch]) => {
        const b = s.slice();
        b.set(patch.subarray(0, b.length - at), at);
        return b;
      }),
    ),
    // Oversized: a count or length field set to something huge (0xff…), anywhere.
    seed.chain((s) =>
      fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 1, max: 8 })).map(([at, n]) => {
        const b = s.slice();
        b.fill(0xff, at, Math.min(b.length, at + n));
        return b;
      }),
    ),
    seed.chain((s) => fc.uint8Array({ maxLength: 64 }).map((tail) => new Uint8Array([...s, ...tail]))),
  );
  return fc.oneof(
    { arbitrary: mutated.map(fix), weight: 3 },
    { arbitrary: mutated, weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 512 }), weight: 1 },
  );
}

/** Puts right every chunk CRC, so that mutations reach past the CRC check into the decoder. */
export function fixCrcs(bytes: Uint8Array): Uint8Array {
  const b = bytes.slice();
  const view = new DataView(b.buffer);
  let pos = 8;
  while (pos + 12 <= b.length) {
    const length = view.getUint32(pos);
    if (length > b.length - pos - 12) break;
    view.setUint32(pos + 8 + length, crc32(b.subarray(pos + 4, pos + 8 + length)));
    pos += 12 + length;
  }
  return b;
}

/** Values that break a JSON field's meaning while the file stays valid JSON. */
const HOSTILE_VALUES: unknown[] = [0, -1, 0.5, 1e9, 1e308, -1e308, 2 ** 53, null, true, 'x', '', [], {}, [[]], [1e308, 1e308]];

/**
 * A JSON file with some of its values replaced by hostile ones (a pad of 1e9, a shape that does not
 * match, a string for a number), keys dropped or renamed: valid JSON that means something wrong.
 */
export function jsonMutations(json: unknown): fc.Arbitrary<Uint8Array> {
  const text = JSON.stringify(json);
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('value', 'drop', 'rename'), value: fc.constantFrom(...HOSTILE_VALUES) });
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const copy = JSON.parse(text);
    for (const { at, kind, value } of edits) {
      const places = fieldsOf(copy);
      if (places.length === 0) break;
      const [holder, key] = places[at % places.length];
      if (kind === 'value') holder[key] = value;
      else if (Array.isArray(holder)) holder.splice(Number(key), 1);
      else {
        const v = holder[key];
        delete holder[key];
        if (kind === 'rename') holder[`${key}_`] = v;
      }
    }
    return new TextEncoder().encode(JSON.stringify(copy));
  });
}

// every (holder, key) of a JSON value, outer ones first: a bounded walk (large arrays are sampled)
function fieldsOf(value: unknown): [Record<string, unknown>, string][] {
  const out: [Record<string, unknown>, string][] = [];
  const walk = (v: unknown, depth: number) => {
    if (v === null || typeof v !== 'object' || depth > 8) return;
    const holder = v as Record<string, unknown>;
    const keys = Object.keys(holder);
    const shown = keys.length > 6 ? [keys[0], keys[1], keys[keys.length - 1]] : keys;
    for (const k of shown) {
      out.push([holder, k]);
      walk(holder[k], depth + 1);
    }
  };
  walk(value, 0);
  return out;
}
