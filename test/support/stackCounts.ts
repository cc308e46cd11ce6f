/**
 * How many of each thing a shipped stack file declares, read from its YAML rather than through the model.
 * A test that checks a property of every item of a filtered list first asserts it got this many: a filter
 * that matches nothing, or a parser that drops entries, then fails the test instead of passing it empty.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { AREAS, type Area } from "../../model/areas";
import { ROOT } from "./stack";

export type ShippedStack = "dev" | "staging" | "prod";

export interface StackCounts {
  /** Area namespaces, all areas together (retired ones left out). */
  namespaces: number;
  byArea: Record<Area, number>;
  /** Namespaces in the strict phase: their own `phase: strict`, or the stack's phase when they set none. */
  strict: number;
  /** Namespaces that take another area's ingress controller (`ingressControllers`). */
  workarounds: number;
  tools: number;
  /** VPCs the cluster reaches: its own and the peered ones (`peered: false` left out). */
  peeredVpcs: number;
  dataStores: number;
  /** Data stores in clients phase, whose subnets the client namespaces' policies name. */
  clientsPhaseStores: number;
  legacyLoadBalancers: number;
  /** Ranges each NLB controller admits: its sources' ranges and the NAT addresses of the VPCs it names. */
  allowlist: Record<"backoffice" | "internalservices", number>;
}

type Raw = Record<string, any>;

export function stackCounts(stack: ShippedStack): StackCounts {
  const config: Raw = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
  const namespaces = Object.values<Raw>(config["segmentation:namespaces"] ?? {}).filter((ns) => !ns.retired);
  const stackPhase = config["segmentation:phase"] ?? "migration";
  const stores: Raw[] = config["segmentation:dataStores"] ?? [];
  const allowlistOf = (area: "backoffice" | "internalservices") => {
    const ingress: Raw = config["segmentation:ingress"]?.[area] ?? {};
    const sources: string[] = (ingress.sources ?? []).flatMap(
      (name: string) => config["segmentation:sources"][name],
    );
    const nat: string[] = (ingress.natGatewaysOf ?? []).flatMap(
      (vpc: string) => config["segmentation:vpcs"][vpc].natGatewayIps ?? [],
    );
    return new Set([...sources, ...nat]).size;
  };
  const byArea = Object.fromEntries(
    AREAS.map((area) => [area, namespaces.filter((ns) => ns.area === area).length]),
  ) as Record<Area, number>;
  return {
    namespaces: namespaces.length,
    byArea,
    strict: namespaces.filter((ns) => (ns.phase ?? stackPhase) === "strict").length,
    workarounds: namespaces.filter((ns) => (ns.ingressControllers ?? []).length > 0).length,
    tools: Object.keys(config["segmentation:tools"] ?? {}).length,
    peeredVpcs: Object.values<Raw>(config["segmentation:vpcs"]).filter((vpc) => vpc.peered !== false).length,
    dataStores: stores.length,
    clientsPhaseStores: stores.filter((store) => store.phase === "clients").length,
    legacyLoadBalancers: (config["segmentation:legacyLoadBalancers"] ?? []).length,
    allowlist: { backoffice: allowlistOf("backoffice"), internalservices: allowlistOf("internalservices") },
  };
}

/** The dev stack's counts, which most tests read. */
export const DEV = stackCounts("dev");
