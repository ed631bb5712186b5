// The tables the sparse-row path reads, written when the module starts, and where the caller's
// memory begins after them.

// SELECT + 16·bits, for each of the 256 patterns of 8 bits: the byte shuffle that moves the 16-bit
// lanes whose bits are set, in order, to the front of a vector (the lanes after them are garbage).
// UNITS + 4·byte: byte / 255 as a float32, correctly rounded (the floats of normalizeBytes). Both tables
// are written when the module starts, just past its static data, where no data segment reaches: a
// shared memory gets the module's data segments again each time a helper thread instantiates it,
// and zeros written over a table another thread is reading would be wrong products. Each instance
// writes the same bytes, so a helper starting changes nothing. heapBase() hands out what follows.
export const SELECT: usize = (__heap_base + 15) & ~15;
export const UNITS: usize = SELECT + 256 * 16;
const TABLES_END: usize = UNITS + 256 * 4;
for (let bits = 0; bits < 256; bits++) {
  let front = 0;
  for (let lane = 0; lane < 8; lane++) {
    if ((bits & (1 << lane)) == 0) continue;
    store<u16>(SELECT + (<usize>bits << 4) + (<usize>front << 1), (2 * lane) | ((2 * lane + 1) << 8));
    front++;
  }
  store<f32>(UNITS + (<usize>bits << 2), <f32>(<f64>bits / 255));
}

/** Where memory free for the caller starts. */
export function heapBase(): usize {
  return TABLES_END;
}
