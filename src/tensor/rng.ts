import { InputError } from '../errors.js';

/**
 * The one seedable random number generator behind every random choice (weight init, shuffling):
 * xoshiro128** seeded through splitmix32. The same seed gives the same numbers on every platform,
 * and the state is four 32-bit words that a checkpoint can save and restore.
 *
 * @example
 * const rng = new Rng(42);
 * rng.uniform();  // a number in [0, 1)
 * rng.normal();   // a standard normal sample
 * rng.permutation(5); // e.g. Int32Array [3, 0, 4, 1, 2]
 */
export class Rng {
  private s = new Uint32Array(4);

  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed)) throw new InputError(`Rng: seed is ${seed}, expected a whole number`);
    // splitmix32 spreads the seed's low 32 bits over the four state words; its high part (past 32
    // bits, or the sign) goes into a word of its own, so that no two seeds give the same stream
    // (2^32 + 1 and 0 did when the halves were xored first). Seeds 0 … 2^32 − 1 are as they were.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      this.s[i] = mix32(x);
    }
    const high = Math.floor(seed / 2 ** 32);
    this.s[2] ^= mix32(high >>> 0); // mix32(0) = 0: nothing for a seed below 2^32
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]: log is finite
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** 0, 1, …, n − 1 in random order (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  /** The state, to save; {@link Rng.restore} continues the same sequence. */
  state(): number[] {
    return Array.from(this.s);
  }

  static restore(state: readonly number[]): Rng {
    const rng = new Rng();
    rng.setState(state);
    return rng;
  }

  /** Continues this generator from a saved state, in place: every holder of it follows. */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || state.every((w) => w === 0)) {
      throw new InputError('Rng.restore: expected four 32-bit words, not all zero');
    }
    this.s.set(state);
  }
}

// splitmix32's finaliser: every bit of x moves every bit of the result
function mix32(x: number): number {
  let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
