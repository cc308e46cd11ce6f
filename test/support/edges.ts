/**
 * Where two renderings of the same ranges could part: each range's first and last address, and the
 * neighbours just outside it where IPv4 has them.
 */
import { ALL_IPV4, addressAt, size } from "../../core/cidr";
import { addressToNumber } from "../../evaluator/addresses";

export function rangeEdges(ranges: readonly string[]): string[] {
  const addresses = new Set<string>();
  for (const range of ranges) {
    const first = Number(addressToNumber(addressAt(range, 0)));
    const last = first + size(range) - 1;
    for (const at of [first - 1, first, last, last + 1]) {
      if (at >= 0 && at < size(ALL_IPV4)) addresses.add(addressAt(ALL_IPV4, at));
    }
  }
  return [...addresses];
}
