/**
 * IPv4 CIDR parsing and arithmetic for the whole model. Syntax comes from ipaddr.js, set arithmetic from
 * cidr-tools; this file only decides what counts as a mistake and how to say so.
 *
 * Every CIDR the stack renders is in canonical form (network address, explicit mask), so that the same
 * range written twice collapses to one rule and a plan never flips between "10.0.0.1/16" and
 * "10.0.0.0/16" (AWS and Kubernetes both normalise or reject host bits, which makes runs non-idempotent).
 */
import { containsCidr, excludeCidr, mergeCidr, normalizeCidr, overlapCidr, parseCidr } from "cidr-tools";
import ipaddr from "ipaddr.js";

/** Why a string is not an acceptable IPv4 CIDR, with the fix a person should apply. */
export interface CidrProblem {
  problem: string;
  fix: string;
}

export type CidrCheck = { ok: true; cidr: string } | { ok: false; error: CidrProblem };

/**
 * Ranges that are not the public internet: RFC 1918, carrier-grade NAT, loopback, link-local (instance
 * metadata lives there), "this network", multicast and reserved. Documentation ranges (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24) stay public on purpose: example estates use them as stand-ins for real
 * public addresses.
 */
export const NON_PUBLIC_RANGES: readonly string[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/4",
  "240.0.0.0/4",
];

/** The private ranges a workload could reach through peering or the VPC (design: RFC 1918 and 100.64/10). */
export const PRIVATE_RANGES: readonly string[] = [
  "10.0.0.0/8",
  "100.64.0.0/10",
  "172.16.0.0/12",
  "192.168.0.0/16",
];

export const INSTANCE_METADATA_CIDR = "169.254.169.254/32";

export const ALL_IPV4 = "0.0.0.0/0";

function isIpv6(text: string): boolean {
  return ipaddr.IPv6.isValid(text.split("/")[0] ?? "");
}

/**
 * Parses an IPv4 network in CIDR notation. A bare address is refused rather than guessed as /32, since
 * "10.0.0.0" is as likely a forgotten /16 as a single host.
 */
export function checkIpv4Cidr(text: string): CidrCheck {
  const value = text.trim();
  if (isIpv6(value)) {
    return {
      ok: false,
      error: { problem: "is IPv6, but this field takes IPv4", fix: "use the IPv4 range of the same network" },
    };
  }
  const [address, mask, ...rest] = value.split("/");
  if (address === undefined || !ipaddr.IPv4.isValidFourPartDecimal(address) || rest.length > 0) {
    return {
      ok: false,
      error: { problem: "is not an IPv4 CIDR", fix: 'write it as "a.b.c.d/n", e.g. "10.20.0.0/16"' },
    };
  }
  if (mask === undefined) {
    return {
      ok: false,
      error: { problem: "has no mask", fix: `did you mean "${address}/32"? Write the mask explicitly` },
    };
  }
  if (!/^\d{1,2}$/.test(mask) || Number(mask) > 32) {
    return { ok: false, error: { problem: "has an invalid mask", fix: "use a prefix length from 0 to 32" } };
  }
  const network = normalizeCidr(`${address}/${Number(mask)}`);
  if (network !== `${address}/${Number(mask)}`) {
    return {
      ok: false,
      error: {
        problem: "has host bits set",
        fix: `use the network address "${network}"${mask === "32" ? "" : `, or "${address}/32" for one address`}`,
      },
    };
  }
  return { ok: true, cidr: network };
}

/** Parses a single IPv4 address, given bare or as a /32. */
export function checkIpv4Address(
  text: string,
): { ok: true; address: string } | { ok: false; error: CidrProblem } {
  const value = text.trim();
  if (isIpv6(value)) {
    return {
      ok: false,
      error: { problem: "is IPv6, but this field takes IPv4", fix: "use the IPv4 address" },
    };
  }
  const [address, mask, ...rest] = value.split("/");
  if (address === undefined || !ipaddr.IPv4.isValidFourPartDecimal(address) || rest.length > 0) {
    return {
      ok: false,
      error: { problem: "is not an IPv4 address", fix: 'write one address, e.g. "203.0.113.10"' },
    };
  }
  if (mask !== undefined && mask !== "32") {
    return {
      ok: false,
      error: {
        problem: "is a range, not a single address",
        fix: `list each address on its own, e.g. "${address}"`,
      },
    };
  }
  return { ok: true, address };
}

export function overlaps(a: string | readonly string[], b: string | readonly string[]): boolean {
  return overlapCidr(asArray(a), asArray(b));
}

/** True when every address of `inner` lies in `outer`. */
export function contains(outer: string | readonly string[], inner: string | readonly string[]): boolean {
  return containsCidr(asArray(outer), asArray(inner));
}

/** The smallest sorted list of CIDRs covering `base` minus `excluded`. */
export function subtract(base: readonly string[], excluded: readonly string[]): string[] {
  return sortCidrs(excludeCidr(asArray(base), asArray(excluded)));
}

/** Merges adjacent and contained ranges into the smallest sorted list. */
export function merge(cidrs: readonly string[]): string[] {
  return cidrs.length === 0 ? [] : sortCidrs(mergeCidr(asArray(cidrs)));
}

/** The number of addresses in the union of the ranges. */
export function addressCount(cidrs: readonly string[]): bigint {
  return merge(cidrs).reduce((total, cidr) => {
    const parsed = parseCidr(cidr);
    return total + parsed.end - parsed.start + 1n;
  }, 0n);
}

/** True for a single address or range entirely inside the public internet. */
export function isPublic(cidr: string): boolean {
  return !overlaps(cidr, NON_PUBLIC_RANGES);
}

/** The public internet as a list of CIDRs: everything minus the non-public ranges. */
export function publicInternet(): string[] {
  return subtract([ALL_IPV4], NON_PUBLIC_RANGES);
}

/** Sorts numerically by network address, then by mask, so plans are stable. */
export function sortCidrs(cidrs: readonly string[]): string[] {
  return [...cidrs]
    .map((cidr) => (cidr.includes("/") ? cidr : `${cidr}/32`))
    .sort((a, b) => {
      const pa = parseCidr(a);
      const pb = parseCidr(b);
      if (pa.start !== pb.start) return pa.start < pb.start ? -1 : 1;
      return pa.end === pb.end ? 0 : pa.end > pb.end ? -1 : 1;
    });
}

/** True when the address (no mask) lies inside the CIDR. */
export function addressIn(address: string, cidr: string): boolean {
  return containsCidr([cidr], [`${address}/32`]);
}

function asArray(value: string | readonly string[]): string[] {
  return typeof value === "string" ? [value] : [...value];
}

/** The address `offset` places after the network address of `cidr` (it must fit in the range). */
export function addressAt(cidr: string, offset: number): string {
  const { start, end } = parseCidr(cidr);
  const value = start + BigInt(offset);
  if (offset < 0 || value > end) throw new RangeError(`${cidr} has no address at offset ${offset}`);
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
}

/** The number of addresses in one CIDR. */
export function size(cidr: string): number {
  const { start, end } = parseCidr(cidr);
  return Number(end - start + 1n);
}
