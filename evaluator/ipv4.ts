/**
 * IPv4 addresses as unsigned 32-bit numbers, for matching in the evaluator's inner loops. Parsing and
 * checking stay in core/cidr.ts; these functions take strings that have already passed those checks.
 */
import ipaddr from "ipaddr.js";

/** The address as an unsigned 32-bit number. */
export function addressToNumber(address: string): number {
  const [a, b, c, d] = ipaddr.IPv4.parse(address).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** First and last address of a CIDR, both inclusive. */
export interface AddressRange {
  start: number;
  end: number;
}

export function cidrToRange(cidr: string): AddressRange {
  const [address, mask] = cidr.split("/") as [string, string];
  const bits = Number(mask);
  const start = addressToNumber(address);
  // A /0 has 2^32 addresses, more than a 32-bit shift can express.
  const size = bits === 0 ? 2 ** 32 : 2 ** (32 - bits);
  return { start, end: start + size - 1 };
}

export function inRange(address: number, range: AddressRange): boolean {
  return address >= range.start && address <= range.end;
}
