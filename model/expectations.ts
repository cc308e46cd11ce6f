/**
 * What the design says must happen, cell by cell (DESIGN.md section 2), computed from the same area rules
 * the policies are rendered from. `netseg verify` and the tests compare it with what the evaluator finds in
 * the rendered policies: the table says what should hold, the evaluator says what does.
 */
import { AREA_RULES, type Area } from "./areas";
import { addressIn, INSTANCE_METADATA_CIDR } from "./cidr";
import type { NamespaceConfig, SegmentationConfig } from "./config";

/** Who opens a connection, as the design's table distinguishes sources. */
export type Source =
  | { kind: "area-pod"; namespace: string; area: Area }
  | { kind: "controller"; area: Area }
  | { kind: "monitoring" }
  | { kind: "unlabelled"; namespace: string }
  | { kind: "external" };

export interface Expectation {
  allow: boolean;
  /** The row of the design's table that decides the cell. */
  rule: string;
}

/** Ingress to a pod of an area namespace: is it allowed, and by which row of the table. */
export function expectedIngress(
  source: Source,
  destination: NamespaceConfig,
  endpointPod: boolean,
): Expectation {
  const area = destination.area;
  const strict = destination.phase === "strict";
  const exposed = !strict || endpointPod;
  const scope = strict ? (endpointPod ? "strict, endpoint pod" : "strict, non-endpoint pod") : "migration";
  switch (source.kind) {
    case "monitoring":
      return { allow: true, rule: "monitoring reaches every managed pod" };
    case "external":
      return { allow: false, rule: "addresses outside the cluster are denied" };
    case "unlabelled":
      return { allow: false, rule: "namespaces without an area are denied" };
    case "controller": {
      const own = source.area === area;
      const workaround = destination.extraIngressControllers.includes(source.area);
      if (!own && !workaround) return { allow: false, rule: "other areas' ingress controllers are denied" };
      return {
        allow: exposed,
        rule: `${own ? "own area's controller" : "workaround namespace's extra controller"} (${scope})`,
      };
    }
    case "area-pod": {
      const sameNamespace = source.namespace === destination.name;
      const allowedAreas = strict
        ? AREA_RULES[area].strictIngressFrom
        : AREA_RULES[area].migrationIngressFrom;
      if (sameNamespace && !strict) return { allow: true, rule: "same namespace (migration)" };
      const allowed = allowedAreas.includes(source.area) && exposed;
      const relation = sameNamespace
        ? "same namespace"
        : source.area === area
          ? "same area"
          : `${source.area} → ${area}`;
      return { allow: allowed, rule: `${relation} (${scope})` };
    }
  }
}

/** A destination outside the pod network, by what it is. */
export type ExternalDestination =
  | { kind: "internet"; ip: string }
  | { kind: "vpc"; vpc: string; ip: string }
  | { kind: "private"; ip: string }
  | { kind: "instance-metadata"; ip: string };

/** Egress from any pod of an area namespace (both phases) to an address outside the cluster's pods. */
export function expectedEgress(
  config: SegmentationConfig,
  source: NamespaceConfig,
  destination: ExternalDestination,
): Expectation {
  switch (destination.kind) {
    case "internet":
      return { allow: true, rule: "public internet" };
    case "instance-metadata":
      return config.egress.instanceMetadata === "allow"
        ? { allow: true, rule: "instance metadata (allowed by config)" }
        : { allow: false, rule: "instance metadata is denied by default" };
    case "private":
      return { allow: false, rule: "other private addresses are denied" };
    case "vpc": {
      const allowed = AREA_RULES[source.area].egressToVpcs.includes(destination.vpc);
      return { allow: allowed, rule: `${source.area} → ${destination.vpc} VPC` };
    }
  }
}

/**
 * One address per kind of external destination the design's egress table names: the internet, each VPC
 * (outside the cluster's own pod ranges), private ranges no VPC uses, and instance metadata.
 */
export function externalDestinations(config: SegmentationConfig): ExternalDestination[] {
  const inCluster = (ip: string) => config.cluster.cidrs.some((cidr) => addressIn(ip, cidr));
  const vpcs = config.vpcs
    .filter((vpc) => vpc.isClusterVpc || vpc.peered)
    .map((vpc): ExternalDestination => {
      const ip = lastHostOutside(vpc.cidrs, inCluster);
      return { kind: "vpc", vpc: vpc.name, ip };
    });
  const inAnyVpc = (ip: string) => config.vpcs.some((vpc) => vpc.cidrs.some((cidr) => addressIn(ip, cidr)));
  const privates = ["10.255.255.10", "100.64.0.10", "172.16.0.10", "192.168.0.10"]
    .filter((ip) => !inAnyVpc(ip))
    .map((ip): ExternalDestination => ({ kind: "private", ip }));
  return [
    { kind: "internet", ip: "1.1.1.1" },
    ...vpcs,
    ...privates,
    { kind: "instance-metadata", ip: INSTANCE_METADATA_CIDR.split("/")[0] ?? "" },
  ];
}

/** The highest host address of the ranges that is not a pod address (a data store's subnet, typically). */
function lastHostOutside(cidrs: readonly string[], excluded: (ip: string) => boolean): string {
  for (const cidr of cidrs) {
    const [network, mask] = cidr.split("/");
    const base = (network ?? "").split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(mask));
    for (let offset = size - 2; offset > 0; offset -= 256) {
      const value = base + offset;
      const ip = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
      if (!excluded(ip)) return ip;
    }
  }
  throw new Error(`bug: every address of ${cidrs.join(", ")} is a pod address`);
}
