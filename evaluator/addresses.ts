/**
 * IPv4 and IPv6 addresses on one number line, for matching in the evaluator: an IPv4 address is its 32-bit
 * value, an IPv6 address is 2^32 plus its 128-bit value. The two families never overlap, so an IPv4 block
 * never matches an IPv6 pod and `::/0` never matches an IPv4 one, as the network-policy-api says of
 * `networks` ("0.0.0.0/0" matches IPv4 traffic, "::/0" IPv6 traffic). EKS runs IPv6 clusters, where pods,
 * ipBlocks and `networks` are IPv6.
 *
 * Syntax comes from ipaddr.js; IPv4 checks and their wording stay in core/cidr.ts, so a mistake in an
 * IPv4 block reads the same here as in the stack config.
 */
import ipaddr from "ipaddr.js";
import { type CidrProblem, checkIpv4Address, checkIpv4Cidr } from "../core/cidr";

const IPV6_OFFSET = 1n << 32n;

/** First and last address of a block, both inclusive, on the shared number line. */
export interface AddressRange {
  start: bigint;
  end: bigint;
}

function isIpv6Text(text: string): boolean {
  return text.includes(":");
}

function bytesToBigint(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** The address (already checked, no mask) as a point of the number line. */
export function addressToNumber(address: string): bigint {
  if (isIpv6Text(address)) return IPV6_OFFSET + bytesToBigint(ipaddr.IPv6.parse(address).toByteArray());
  return bytesToBigint(ipaddr.IPv4.parse(address).octets);
}

/** Ranges already computed: estates repeat the same few blocks in every namespace's policies. */
const ranges = new Map<string, AddressRange>();

/** The block (already checked, canonical) as a range of the number line. */
export function cidrToRange(cidr: string): AddressRange {
  const known = ranges.get(cidr);
  if (known) return known;
  const [address, mask] = cidr.split("/") as [string, string];
  const width = isIpv6Text(address) ? 128n : 32n;
  const start = addressToNumber(address);
  const range = { start, end: start + (1n << (width - BigInt(mask))) - 1n };
  ranges.set(cidr, range);
  return range;
}

export function inRange(address: bigint, range: AddressRange): boolean {
  return address >= range.start && address <= range.end;
}

/** True when every address of `inner` lies in `outer`. */
export function rangeContains(outer: AddressRange, inner: AddressRange): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

export type AddressCheck = { ok: true; address: string } | { ok: false; error: CidrProblem };
export type BlockCheck = { ok: true; cidr: string } | { ok: false; error: CidrProblem };

/** One IPv4 or IPv6 address, bare or with a full-length mask; IPv6 comes back in its compressed form. */
export function checkAddress(text: string): AddressCheck {
  const value = text.trim();
  if (!isIpv6Text(value)) return checkIpv4Address(value);
  const [address = "", mask, ...rest] = value.split("/");
  if (!ipaddr.IPv6.isValid(address) || rest.length > 0 || address.includes("%")) {
    return {
      ok: false,
      error: { problem: "is not an IPv4 or IPv6 address", fix: 'write one address, e.g. "fd00:10::5"' },
    };
  }
  if (mask !== undefined && mask !== "128") {
    return {
      ok: false,
      error: {
        problem: "is a range, not a single address",
        fix: `list each address on its own, e.g. "${address}"`,
      },
    };
  }
  return { ok: true, address: ipaddr.IPv6.parse(address).toString() };
}

/** An IPv4 or IPv6 block in canonical form: network address and explicit mask. */
export function checkCidr(text: string): BlockCheck {
  const value = text.trim();
  if (!isIpv6Text(value)) return checkIpv4Cidr(value);
  const [address = "", mask, ...rest] = value.split("/");
  if (!ipaddr.IPv6.isValid(address) || rest.length > 0 || address.includes("%")) {
    return {
      ok: false,
      error: {
        problem: "is not an IPv4 or IPv6 CIDR",
        fix: 'write it as "a.b.c.d/n" or "x:y::/n", e.g. "fd00:10::/64"',
      },
    };
  }
  if (mask === undefined) {
    return {
      ok: false,
      error: { problem: "has no mask", fix: `did you mean "${address}/128"? Write the mask explicitly` },
    };
  }
  if (!/^\d{1,3}$/.test(mask) || Number(mask) > 128) {
    return { ok: false, error: { problem: "has an invalid mask", fix: "use a prefix length from 0 to 128" } };
  }
  const canonical = `${ipaddr.IPv6.parse(address).toString()}/${Number(mask)}`;
  const network = `${ipaddr.IPv6.networkAddressFromCIDR(canonical).toString()}/${Number(mask)}`;
  if (network !== canonical) {
    return {
      ok: false,
      error: {
        problem: "has host bits set",
        fix: `use the network address "${network}"${mask === "128" ? "" : `, or "${address}/128" for one address`}`,
      },
    };
  }
  return { ok: true, cidr: canonical };
}
