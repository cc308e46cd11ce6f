/**
 * The area rules: the one table of the design's reachability matrix (DESIGN.md section 2). Policies are
 * rendered from it and the expected matrix that tests check them against is derived from it, so a platform
 * team changes who may talk to whom here and nowhere else.
 */

export const AREAS = ["publicfrontal", "backoffice", "internalservices"] as const;
export type Area = (typeof AREAS)[number];

export const PHASES = ["migration", "strict"] as const;
export type Phase = (typeof PHASES)[number];

export interface AreaRule {
  /** Areas whose namespaces may open connections to every pod of this area in the migration phase. */
  readonly migrationIngressFrom: readonly Area[];
  /**
   * Areas whose namespaces may reach this area's `endpoint: "true"` pods in the strict phase. Other pods of
   * the area are reachable only through contracts the services declare.
   */
  readonly strictIngressFrom: readonly Area[];
  /** VPCs (keys of `segmentation:vpcs`) whose CIDRs pods of this area may reach. */
  readonly egressToVpcs: readonly string[];
  /** The area's ingress controller faces the whole internet behind a WAF instead of a source allowlist. */
  readonly publicController: boolean;
}

export const AREA_RULES: Readonly<Record<Area, AreaRule>> = {
  publicfrontal: {
    migrationIngressFrom: ["publicfrontal"],
    strictIngressFrom: ["publicfrontal"],
    egressToVpcs: ["publicfrontal", "kafka"],
    publicController: true,
  },
  backoffice: {
    migrationIngressFrom: ["publicfrontal", "backoffice"],
    strictIngressFrom: ["backoffice"],
    egressToVpcs: ["backoffice", "kafka"],
    publicController: false,
  },
  internalservices: {
    // The seed's strict list names publicfrontal -> internalservices but not backoffice -> internalservices;
    // it is implemented literally.
    migrationIngressFrom: ["publicfrontal", "backoffice", "internalservices"],
    strictIngressFrom: ["internalservices", "publicfrontal"],
    egressToVpcs: ["natonly", "kafka"],
    publicController: false,
  },
};

/** Every VPC the area rules name; a stack must configure each of them. */
export const VPCS_NAMED_BY_RULES: readonly string[] = [
  ...new Set(AREAS.flatMap((area) => AREA_RULES[area].egressToVpcs)),
].sort();

export function isArea(value: unknown): value is Area {
  return typeof value === "string" && (AREAS as readonly string[]).includes(value);
}

/**
 * Areas whose pods may call the area's ingress controller from inside the cluster (behind an NLB with
 * client IP preservation, a pod's connection arrives with the pod's address). A controller sees ports, not
 * which namespace a request is for, so it would relay every caller to every namespace it serves: it admits
 * only the areas that may reach the area in both phases, and none for the public controller, which is
 * reached through its ALB and WAF alone. Other allowed areas reach the pods directly.
 */
export function controllerCallers(area: Area): readonly Area[] {
  const rule = AREA_RULES[area];
  if (rule.publicController) return [];
  return AREAS.filter(
    (from) => rule.migrationIngressFrom.includes(from) && rule.strictIngressFrom.includes(from),
  );
}
