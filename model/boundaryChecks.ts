/**
 * Config checks for the platform's boundaries (registered in `validate.ts`): the policy mode needs a CNI
 * that enforces it, and every controller names the subnets its load balancer delivers from, so that the
 * controller can admit those and nothing else of the VPC.
 */
import { contains, INSTANCE_METADATA_CIDR, isPublic, overlaps } from "../core/cidr";
import { AREAS } from "./areas";
import type { ParsedSections } from "./config";
import type { ConfigIssue } from "./issues";
import type { ConfigKey } from "./schema";

type Sections = Required<ParsedSections>;

/**
 * The first VPC CNI release whose network policy agent enforces `ClusterNetworkPolicy`, on Kubernetes 1.29
 * and later (AWS, "Amazon EKS introduces enhanced network policy capabilities",
 * https://aws.amazon.com/blogs/containers/amazon-eks-introduces-enhanced-network-policy-capabilities).
 * An older agent accepts the objects and enforces none of them, which would leave only the Pass-through
 * namespace policies: the stack refuses that combination rather than render a boundary that is not there.
 */
export const CLUSTER_TIER_MIN_CNI = { major: 1, minor: 21, patch: 1 } as const;
export const CLUSTER_TIER_MIN_KUBERNETES_MINOR = 29;

export const BOUNDARY_CHECKS: readonly {
  needs: readonly ConfigKey[];
  run(sections: Sections): ConfigIssue[];
}[] = [
  { needs: ["policyMode", "cluster"], run: clusterTierNeedsAnEnforcingCni },
  { needs: ["ingress", "cluster", "vpcs"], run: controllersNameTheirLoadBalancerSubnets },
  { needs: ["egress", "cluster", "vpcs"], run: contractRangesArePrivateAndOutsideTheVpcs },
];

/** `v1.21.1-eksbuild.1` → its three numbers; undefined when it is not a release version. */
function cniVersion(text: string): { major: number; minor: number; patch: number } | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-[\w.]+)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

function atLeast(version: { major: number; minor: number; patch: number }): boolean {
  const min = CLUSTER_TIER_MIN_CNI;
  if (version.major !== min.major) return version.major > min.major;
  if (version.minor !== min.minor) return version.minor > min.minor;
  return version.patch >= min.patch;
}

function clusterTierNeedsAnEnforcingCni({ policyMode, cluster }: Sections): ConfigIssue[] {
  if (policyMode !== "clusterTier") return [];
  const minimum = `v${CLUSTER_TIER_MIN_CNI.major}.${CLUSTER_TIER_MIN_CNI.minor}.${CLUSTER_TIER_MIN_CNI.patch}`;
  const addon = cluster.vpcCni?.addonVersion;
  if (addon === undefined) {
    return [
      {
        path: "segmentation:cluster.vpcCni.addonVersion",
        value: addon,
        problem: `is not set, so the stack cannot tell whether the VPC CNI enforces the cluster tier that policyMode clusterTier relies on`,
        fix: `pin the add-on to ${minimum}-eksbuild.1 or later, or set segmentation:policyMode to networkPolicy`,
      },
    ];
  }
  const issues: ConfigIssue[] = [];
  const version = cniVersion(addon);
  if (!version) {
    issues.push({
      path: "segmentation:cluster.vpcCni.addonVersion",
      value: addon,
      problem: "is not a VPC CNI release version",
      fix: `write it as AWS lists it, e.g. "${minimum}-eksbuild.1"`,
    });
  } else if (!atLeast(version)) {
    issues.push({
      path: "segmentation:cluster.vpcCni.addonVersion",
      value: addon,
      problem: `is older than ${minimum}, which accepts ClusterNetworkPolicy objects without enforcing them`,
      fix: `upgrade the add-on to ${minimum}-eksbuild.1 or later, or keep segmentation:policyMode at networkPolicy until then`,
    });
  }
  const kubernetes = cluster.vpcCni?.kubernetesVersion;
  const minor = kubernetes === undefined ? undefined : Number(kubernetes.split(".")[1]);
  if (minor !== undefined && minor < CLUSTER_TIER_MIN_KUBERNETES_MINOR) {
    issues.push({
      path: "segmentation:cluster.vpcCni.kubernetesVersion",
      value: kubernetes,
      problem: `is older than 1.${CLUSTER_TIER_MIN_KUBERNETES_MINOR}, where EKS starts enforcing ClusterNetworkPolicy`,
      fix: `upgrade the cluster to 1.${CLUSTER_TIER_MIN_KUBERNETES_MINOR} or later, or set segmentation:policyMode to networkPolicy`,
    });
  }
  return issues;
}

/**
 * A controller admits its load balancer's subnets and not the whole VPC: the VPC holds the pod ranges, and a
 * pod reaching a controller directly skips the WAF and relays past the area rules. So the subnets are
 * required, must lie in the cluster's VPC (where the load balancer's nodes get addresses) and must not
 * overlap the pod ranges.
 */
function controllersNameTheirLoadBalancerSubnets({ ingress, cluster, vpcs }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const vpcCidrs = vpcs[cluster.vpc]?.cidrs ?? [];
  for (const area of AREAS) {
    const subnets = ingress[area]?.loadBalancerSubnets;
    const path = `segmentation:ingress.${area}.loadBalancerSubnets`;
    if (subnets === undefined) {
      issues.push({
        path,
        value: subnets,
        problem: `is missing, so the ${area} controller cannot tell its load balancer from the pods of the cluster's VPC`,
        fix: `list the subnets of the ${area} load balancer (${area === "publicfrontal" ? "the ALB" : "the NLB"}), e.g. ["10.20.96.0/24", "10.20.97.0/24"]`,
      });
      continue;
    }
    subnets.forEach((subnet, index) => {
      if (vpcCidrs.length > 0 && !contains(vpcCidrs, subnet)) {
        issues.push({
          path: `${path}[${index}]`,
          value: subnet,
          problem: `is not inside the cluster's VPC (${vpcCidrs.join(", ")})`,
          fix: "list the subnets the load balancer's nodes are placed in, which are subnets of the cluster's VPC",
        });
      }
      if (overlaps(cluster.cidrs, subnet)) {
        issues.push({
          path: `${path}[${index}]`,
          value: subnet,
          problem: `overlaps the pod ranges (${cluster.cidrs.join(", ")}), so pods would pass for the load balancer`,
          fix: "list the load balancer's own subnets; keep them apart from the subnets pods get addresses from",
        });
      }
    });
  }
  return issues;
}

/**
 * A contract range widens an area's bounds, so it must be what it says: a private range (public ones are
 * open already), outside every configured VPC (those follow the area rules) and the pod ranges, and not
 * instance metadata.
 */
function contractRangesArePrivateAndOutsideTheVpcs({ egress, cluster, vpcs }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const area of AREAS) {
    (egress.contractRanges[area] ?? []).forEach((range, index) => {
      const path = `segmentation:egress.contractRanges.${area}[${index}]`;
      const problem = (text: string, fix: string) => issues.push({ path, value: range, problem: text, fix });
      if (isPublic(range)) {
        problem(
          "is public, and the public internet is open to every area already",
          "list private ranges only",
        );
      }
      const vpc = Object.entries(vpcs).find(([, v]) => overlaps(v.cidrs, range));
      if (vpc) {
        problem(
          `overlaps the ${vpc[0]} VPC, whose reach the area rules decide`,
          "list ranges outside the configured VPCs, or change the area rules",
        );
      }
      if (overlaps(cluster.cidrs, range)) {
        problem("overlaps the pod ranges", "list ranges outside the cluster's pod ranges");
      }
      if (overlaps(INSTANCE_METADATA_CIDR, range)) {
        problem("contains instance metadata (169.254.169.254)", "list ranges that leave out 169.254.0.0/16");
      }
    });
  }
  return issues;
}
