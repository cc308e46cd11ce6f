/**
 * Tenant-proof: does a cell the design forbids stay denied whatever NetworkPolicy a team adds in its own
 * namespace? The check adds the widest policies a team could get admitted to every area namespace, runs the
 * design check again, and reports each forbidden cell that opens.
 *
 * The adversary, per area namespace:
 *   - ingress from everywhere (`ingress: [{}]`): admission never limits a namespace's own ingress;
 *   - egress to everywhere (`egress: [{}]`), or, in NetworkPolicy mode with admission enforcing (deny), the
 *     widest egress `tenant-egress.netseg.dev` admits: every pod, the public internet, the area's VPCs and
 *     contract ranges, the pod ranges and the API server.
 *
 * In cluster-tier mode the Admin tier must hold every forbidden cell but two kinds, which the tiers cannot
 * express or the design leaves to the team: an address outside the cluster reaching a pod (cluster policies
 * take no `networks` in `from`), and pods of the same area inside a strict phase. Those, and in NetworkPolicy
 * mode every opened cell, are listed as holding only while teams behave.
 */
import { NON_PUBLIC_RANGES } from "../core/cidr";
import type { NetworkPolicy, NetworkPolicyPeer } from "../core/k8s";
import { AREA_RULES, type Area } from "../model/areas";
import type { SegmentationConfig } from "../model/config";
import { controllerIdentity } from "../model/controllers";
import { admittedPrivateRanges } from "../model/tenantEgress";
import { checkDesign, type DesignCell, type DesignCellGroup } from "./design";
import type { PlannedObjects } from "./estate";

export const ADVERSARY_POLICIES = { ingress: "tenant-open-ingress", egress: "tenant-open-egress" } as const;

export interface TenantProofReport {
  /** What the adversary could do, in one sentence. */
  adversary: string;
  /** Cells the design forbids, and of those how many stay denied under the adversary. */
  forbidden: number;
  proof: number;
  /** Forbidden cells that open, grouped like the design check's cells. */
  exposed: DesignCellGroup[];
  /** The groups of `exposed` whose cells the mode promises to hold (a group's cells share that). */
  brokenGroups: DesignCellGroup[];
  /** How many cells `exposed` stands for. */
  exposedCount: number;
  /**
   * The exposed cells one by one, by the names of their ends. Generated on demand: at 10,000 namespaces
   * an estate in cluster-tier mode has about 9 million (same-area cells of strict namespaces, addresses
   * outside the cluster), which as a list took more memory than the rest of the plan.
   */
  exposedCells(): Generator<DesignCell>;
  /** Exposed cells the mode promises to hold (cluster-tier mode): any is a failure of `netseg verify`. */
  broken: DesignCell[];
  /** Whether a cell, named by its ends, is one of the exposed ones. */
  exposes(cell: Pick<DesignCell, "from" | "to" | "port" | "protocol">): boolean;
}

/** The widest NetworkPolicies a team could have admitted in each area namespace. */
export function adversarialPolicies(config: SegmentationConfig): NetworkPolicy[] {
  const limited = admissionLimitsEgress(config);
  return config.namespaces.flatMap((ns): NetworkPolicy[] => {
    const egress = limited ? [{ to: widestAdmittedEgress(config, ns.area) }] : [{}];
    const policy = (name: string, spec: NetworkPolicy["spec"]): NetworkPolicy => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace: ns.name },
      spec,
    });
    return [
      policy(ADVERSARY_POLICIES.ingress, { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] }),
      policy(ADVERSARY_POLICIES.egress, { podSelector: {}, policyTypes: ["Egress"], egress }),
    ];
  });
}

/** `tenant-egress.netseg.dev` exists only in NetworkPolicy mode, and refuses only when it denies. */
function admissionLimitsEgress(config: SegmentationConfig): boolean {
  return config.policyMode === "networkPolicy" && config.labelIntegrity.enforcement === "deny";
}

function widestAdmittedEgress(config: SegmentationConfig, area: Area): NetworkPolicyPeer[] {
  return [
    { namespaceSelector: {} },
    { ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC_RANGES] } },
    ...admittedPrivateRanges(config, area).map((cidr) => ({ ipBlock: { cidr } })),
  ];
}

export function checkTenantProof(config: SegmentationConfig, objects: PlannedObjects): TenantProofReport {
  const attacked = checkDesign(config, {
    ...objects,
    policies: [...objects.policies, ...adversarialPolicies(config)],
  });
  const forbidden = attacked.groups.filter((group) => group.expected === "deny");
  const exposed = forbidden.filter((group) => group.actual === "allow");
  const byName = new Map(config.namespaces.map((ns) => [ns.name, ns]));
  // Ingress the area rules forbid whatever the pod: from another area than the phase's list allows, or from
  // outside every area. Which pods of an allowed area may connect is the contracts' business.
  const promised = (cell: DesignCell) => {
    if (config.policyMode !== "clusterTier") return false;
    if (cell.section !== "ingress") return true;
    if (!cell.from.includes("/")) return false;
    const source = byName.get(cell.from.split("/")[0]!);
    const destination = byName.get(cell.to.split("/")[0]!);
    if (!destination) return true;
    if (!source)
      return (
        !cell.from.startsWith(`${controllerIdentity(destination.area).namespace}/`) &&
        !cell.from.startsWith(`${config.tools.monitoring.namespace}/`)
      );
    const rule = AREA_RULES[destination.area];
    const allowed = destination.phase === "strict" ? rule.strictIngressFrom : rule.migrationIngressFrom;
    return !allowed.includes(source.area);
  };
  const total = (groups: DesignCellGroup[]) => groups.reduce((sum, group) => sum + group.count, 0);
  const brokenGroups = exposed.filter(promised);
  let exposedGroups: Set<DesignCellGroup> | undefined;
  return {
    adversary: admissionLimitsEgress(config)
      ? "every area namespace admits ingress from everywhere and egress as wide as admission lets through"
      : "every area namespace admits ingress from everywhere and egress to everywhere",
    forbidden: total(forbidden),
    proof: total(forbidden) - total(exposed),
    exposed,
    exposedCount: total(exposed),
    *exposedCells() {
      for (const group of exposed) yield* attacked.cellsOf(group);
    },
    broken: brokenGroups.flatMap((group) => Array.from(attacked.cellsOf(group))),
    brokenGroups,
    exposes(cell) {
      exposedGroups ??= new Set(exposed);
      const groups = exposedGroups;
      return attacked.groupsOfCell(cell).some((group) => groups.has(group));
    },
  };
}

/** `from → to port/protocol`, the key a cell is compared by across plans. */
export function cellKey(cell: Pick<DesignCell, "from" | "to" | "port" | "protocol">): string {
  return `${cell.from} → ${cell.to} ${cell.port}/${cell.protocol}`;
}

/**
 * Cells tenant-proof in `base` that `head` exposes. Each of head's exposed cells is looked up in base by
 * its ends: at 10,000 namespaces a plan exposes about 9 million, and a set of base's ran `netseg diff`
 * out of memory.
 */
export function lostTenantProof(base: TenantProofReport, head: TenantProofReport): DesignCell[] {
  const lost: DesignCell[] = [];
  for (const cell of head.exposedCells()) if (!base.exposes(cell)) lost.push(cell);
  return lost;
}
