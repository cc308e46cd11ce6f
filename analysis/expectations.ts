/**
 * What the design says must happen, cell by cell (DESIGN.md section 2), computed from the same area rules
 * the policies are rendered from. `netseg verify` and the tests compare it with what the evaluator finds in
 * the rendered policies: the table says what should hold, the evaluator says what does.
 */

import { addressAt, addressIn, INSTANCE_METADATA_CIDR, size } from "../core/cidr";
import { AREA_RULES, type Area, controllerCallers } from "../model/areas";
import type { IngressControllerConfig, NamespaceConfig, SegmentationConfig } from "../model/config";
import { NODE_METRICS_PORTS } from "../model/toolPolicies";

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
    for (let offset = size(cidr) - 2; offset > 0; offset -= 256) {
      const ip = addressAt(cidr, offset);
      if (!excluded(ip)) return ip;
    }
  }
  throw new Error(`bug: every address of ${cidrs.join(", ")} is a pod address`);
}

/** A public address on no allowlist of the stack: "anyone on the internet". */
export function internetAddress(config: SegmentationConfig): string {
  const listed = (ip: string) =>
    config.ingress.some((c) => c.allowedCidrs.some((cidr) => addressIn(ip, cidr)));
  const address = ["1.1.1.1", "8.8.8.8", "9.9.9.9", "208.67.222.222"].find((ip) => !listed(ip));
  if (!address) throw new Error("bug: every sample internet address is allowlisted");
  return address;
}

/** Where a connection to an ingress controller comes from, in the terms of DESIGN.md section 4. */
export type NorthSouthSource =
  | { kind: "allowlisted"; cidr: string }
  | { kind: "internet" }
  | { kind: "load-balancer" }
  /** An address of the cluster's VPC outside the load balancer's subnets (a node, a pod by address). */
  | { kind: "cluster-vpc" };

/** Traffic into a controller's entry point: its load balancer's side, and for NLBs the allowlist. */
export function expectedNorthSouth(
  controller: IngressControllerConfig,
  source: NorthSouthSource,
): Expectation {
  switch (source.kind) {
    case "load-balancer":
      return {
        allow: true,
        rule: `the ${controller.area} load balancer reaches its controller from its subnets`,
      };
    case "cluster-vpc":
      return {
        allow: false,
        rule: `only the ${controller.area} load balancer's subnets of the cluster VPC reach its controller`,
      };
    case "internet":
      return controller.public
        ? {
            allow: false,
            rule: "internet clients reach the public controller only through the ALB and its WAF",
          }
        : { allow: false, rule: `addresses off the ${controller.area} allowlist are denied` };
    case "allowlisted":
      return controller.public
        ? { allow: false, rule: "the public controller takes no direct clients" }
        : {
            allow: true,
            rule: `${source.cidr} is on the ${controller.area} allowlist (client IP preserved)`,
          };
  }
}

/**
 * A pod calling an ingress controller's entry point (through the NLB, with its own address): only pods of
 * the areas `controllerCallers` names, and none at the public controller, which takes the ALB alone.
 */
export function expectedControllerCaller(controller: IngressControllerConfig, source: Source): Expectation {
  if (controller.public) {
    return { allow: false, rule: "pods reach the public controller only through the ALB and its WAF" };
  }
  const callers = controllerCallers(controller.area);
  if (source.kind === "area-pod" && callers.includes(source.area)) {
    return { allow: true, rule: `${source.area} pods may call the ${controller.area} controller` };
  }
  const who = source.kind === "area-pod" ? `${source.area} pods` : `${source.kind} pods`;
  return {
    allow: false,
    rule: `${who} may not call the ${controller.area} controller (callers: ${callers.join(", ") || "none"})`,
  };
}

/** Ports a tool's egress is checked on, per kind of destination. */
export function toolEgressPorts(destination: ExternalDestination): readonly number[] {
  switch (destination.kind) {
    case "instance-metadata":
      return [80];
    case "vpc":
      return [443, 5432, ...NODE_METRICS_PORTS];
    default:
      return [443];
  }
}

/** Egress of the shared tools (model/toolPolicies.ts): what each one's job needs, nothing else. */
export function expectedToolEgress(
  config: SegmentationConfig,
  tool: "monitoring" | "vault",
  destination: ExternalDestination,
  port: number,
): Expectation {
  switch (destination.kind) {
    case "internet":
      return { allow: true, rule: `${tool} reaches the internet on 443` };
    case "instance-metadata":
      return { allow: false, rule: `${tool} does not reach instance metadata` };
    case "private":
      return { allow: false, rule: `${tool} does not reach other private addresses` };
    case "vpc": {
      const clusterVpc = config.vpcs.find((vpc) => vpc.name === destination.vpc)?.isClusterVpc ?? false;
      if (tool === "monitoring" && clusterVpc && NODE_METRICS_PORTS.includes(port)) {
        return { allow: true, rule: `monitoring scrapes node metrics in the cluster VPC on ${port}` };
      }
      return {
        allow: false,
        rule: `${tool} reaches no data store or service in the ${destination.vpc} VPC (${port})`,
      };
    }
  }
}
