/**
 * Fixed-size bitsets over 32-bit words: the matrix stores "which endpoints" as one bit each, so a union of
 * rules costs one word per 32 endpoints and a lookup is one shift.
 */

export type Bitset = Uint32Array;

export function wordsFor(size: number): number {
  return Math.ceil(size / 32);
}

export function emptySet(size: number): Bitset {
  return new Uint32Array(wordsFor(size));
}

export function fullSet(size: number): Bitset {
  const bits = new Uint32Array(wordsFor(size)).fill(0xffffffff);
  // Clear the bits past `size`, so equal sets compare equal word by word.
  const tail = size % 32;
  if (tail !== 0) bits[bits.length - 1] = (1 << tail) - 1;
  return bits;
}

export function add(bits: Bitset, index: number): void {
  bits[index >>> 5]! |= 1 << (index & 31);
}

/** `target |= source`, where `source` may be shorter (it then covers the first indexes only). */
export function unionInto(target: Bitset, source: Bitset): void {
  for (let i = 0; i < source.length; i++) target[i]! |= source[i]!;
}

/** `target |= a & b`. */
export function unionIntersectionInto(target: Bitset, a: Bitset, b: Bitset): void {
  for (let i = 0; i < target.length; i++) target[i]! |= a[i]! & b[i]!;
}

/**
 * First match wins, over sets: the bits of `source` not yet in `claimed` are claimed, and also added to
 * `into` when given. Run over rules in order, this gives each node the first rule that matches it.
 */
export function claimInto(claimed: Bitset, source: Bitset, into?: Bitset): void {
  for (let i = 0; i < claimed.length; i++) {
    const fresh = source[i]! & ~claimed[i]!;
    claimed[i]! |= fresh;
    if (into) into[i]! |= fresh;
  }
}

/** `target |= mask & ~excluded`. */
export function unionDifferenceInto(target: Bitset, mask: Bitset, excluded: Bitset): void {
  for (let i = 0; i < target.length; i++) target[i]! |= mask[i]! & ~excluded[i]!;
}

/** `target |= mask & a & ~excluded`. */
export function unionIntersectionDifferenceInto(
  target: Bitset,
  mask: Bitset,
  a: Bitset,
  excluded: Bitset,
): void {
  for (let i = 0; i < target.length; i++) target[i]! |= mask[i]! & a[i]! & ~excluded[i]!;
}
