/**
 * NetworkPolicy mode's stand-in for the Admin tier: an admission policy that refuses a team's NetworkPolicy
 * whose egress would cross its area's bounds. NetworkPolicies only add allows, so without it one careless
 * `podSelector: {}` with egress to `10.0.0.0/8` in a publicfrontal namespace reaches the backoffice databases
 * and the natonly VPC. Refused, in namespaces that carry an area:
 *
 *   - an egress rule without `to` (every destination, the bounds included);
 *   - an ipBlock that holds a forbidden range and does not except it, or lies inside one.
 *
 * Forbidden for an area: every non-public range (RFC 1918, 100.64/10, link-local with instance metadata,
 * ...) except the area's VPCs, its contract ranges, the pod ranges (pods are reached as pods, and their own
 * ingress decides) and the API server's ranges (its authentication and RBAC decide). Selector peers
 * (namespaces, pods) are left to the destinations' ingress policies.
 *
 * The CEL uses the Kubernetes CIDR library (`cidr(string).containsCIDR(string)`, Kubernetes 1.31+, see
 * kubernetes/apiserver pkg/cel/library/cidr.go and the `vap-servicecidr-default` example of the Kubernetes
 * docs). The forbidden ranges are rendered into the policy per area, so the expression stays small.
 */
import type { MatchCondition } from "kubernetes-types/admissionregistration/v1";
import { NON_PUBLIC_RANGES, subtract } from "../core/cidr";
import { AREA_LABEL } from "../core/labels";
import { AREAS, type Area } from "./areas";
import { allowedPrivateRanges } from "./clusterPolicies";
import type { SegmentationConfig } from "./config";
import type { PolicySpecBody } from "./labelIntegrity";

export const TENANT_EGRESS_POLICY = "tenant-egress.netseg.dev";

/**
 * The ranges a team's egress ipBlock may not open in `area`'s namespaces, piece by piece of each non-public
 * range, so that a block excepting the non-public ranges one by one passes (merged, 224/4 and 240/4 would
 * make a 224/3 that no single except holds).
 */
export function admissionForbiddenRanges(config: SegmentationConfig, area: Area): string[] {
  const open = admittedPrivateRanges(config, area);
  return NON_PUBLIC_RANGES.flatMap((range) => subtract([range], open));
}

/**
 * The non-public ranges a team's egress may name in `area`'s namespaces: the area's bounds, the pod ranges
 * (pods are reached as pods, their own ingress decides) and the API server's (its RBAC decides).
 */
export function admittedPrivateRanges(config: SegmentationConfig, area: Area): string[] {
  return [
    ...allowedPrivateRanges(config, area),
    ...config.cluster.cidrs,
    ...config.cluster.controlPlaneCidrs,
  ];
}

/** `bad(b)`: ipBlock `b` opens some forbidden range `f`, by holding it without an except, or lying in it. */
const OPENS_FORBIDDEN =
  "variables.forbidden.exists(f, (cidr(b.cidr).containsCIDR(f) && !(has(b.except) && b.except.exists(e, cidr(e).containsCIDR(f)))) || cidr(f).containsCIDR(b.cidr))";

export function tenantEgressSpec(config: SegmentationConfig, exempt: MatchCondition[]): PolicySpecBody {
  const forbidden = `{${AREAS.map(
    (area) =>
      `${JSON.stringify(area)}: [${admissionForbiddenRanges(config, area)
        .map((c) => JSON.stringify(c))
        .join(", ")}]`,
  ).join(", ")}}`;
  const contact = JSON.stringify(config.labelIntegrity.contact);
  const blocks = `r.to.filter(p, has(p.ipBlock) && [p.ipBlock].exists(b, ${OPENS_FORBIDDEN}))`;
  return {
    description: `Team NetworkPolicies in area namespaces may not open egress beyond the area's bounds: every destination at once, other areas' VPCs, instance metadata or other private ranges.`,
    // Evaluated in the API server: an expression that cannot be evaluated counts as a refusal.
    failurePolicy: "Fail",
    matchConstraints: {
      matchPolicy: "Equivalent",
      resourceRules: [
        {
          apiGroups: ["networking.k8s.io"],
          apiVersions: ["v1"],
          operations: ["CREATE", "UPDATE"],
          resources: ["networkpolicies"],
        },
      ],
    },
    matchConditions: exempt,
    variables: [
      {
        name: "area",
        expression: `namespaceObject != null && has(namespaceObject.metadata.labels) && ${JSON.stringify(AREA_LABEL)} in namespaceObject.metadata.labels ? namespaceObject.metadata.labels[${JSON.stringify(AREA_LABEL)}] : ""`,
      },
      { name: "bounds", expression: forbidden },
      {
        name: "forbidden",
        expression: "variables.area in variables.bounds ? variables.bounds[variables.area] : []",
      },
      { name: "egress", expression: "has(object.spec.egress) ? object.spec.egress : []" },
      {
        name: "everywhere",
        expression: "variables.egress.exists(r, !has(r.to) || size(r.to) == 0)",
      },
      {
        name: "crossing",
        expression: `variables.egress.filter(r, has(r.to) && size(${blocks}) > 0).map(r, ${blocks}.map(p, p.ipBlock.cidr).join(", "))`,
      },
    ],
    validations: [
      {
        expression: "variables.area == '' || !variables.everywhere",
        message: `An egress rule without "to" opens every destination, other areas' VPCs and instance metadata included. Name the destinations; to widen an area's bounds, ask ${config.labelIntegrity.contact}.`,
        messageExpression: `"NetworkPolicy " + object.metadata.namespace + "/" + object.metadata.name + " has an egress rule without \\"to\\", which opens every destination of area " + variables.area + ", the bounds included. Name the destinations; to widen an area's bounds, ask " + ${contact} + "."`,
        reason: "Forbidden",
      },
      {
        expression: "size(variables.crossing) == 0",
        message: `An egress ipBlock opens a range the area may not reach (another area's VPC, instance metadata or another private range). Except it, or ask ${config.labelIntegrity.contact} to widen the area's bounds.`,
        messageExpression: `"NetworkPolicy " + object.metadata.namespace + "/" + object.metadata.name + " opens egress to " + variables.crossing.join("; ") + ", beyond the bounds of area " + variables.area + " (other areas' VPCs, instance metadata, other private ranges). Except those ranges, or ask " + ${contact} + " to widen the area's bounds."`,
        reason: "Forbidden",
      },
    ],
  };
}
