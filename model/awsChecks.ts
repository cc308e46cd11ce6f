/**
 * Config checks for the AWS side, run with every other check before any resource is declared (registered
 * in `validate.ts`). The quota arithmetic is the planner's own (`model/aws.ts`), so what is checked here is
 * exactly what the stack would create.
 */
import { natAllowlistRuleCount, natPrefixListMaxEntries } from "./aws";
import type { ParsedSections } from "./config";
import type { ConfigIssue } from "./issues";
import type { ConfigKey } from "./schema";

type Sections = Required<ParsedSections>;

export const AWS_CHECKS: readonly { needs: readonly ConfigKey[]; run(sections: Sections): ConfigIssue[] }[] =
  [
    { needs: ["cluster", "legacyLoadBalancers"], run: natAllowlistFitsEachGroup },
    { needs: ["cluster"], run: natPrefixListHoldsEveryAddress },
    { needs: ["cluster", "vpcs"], run: clusterVpcIsTheStacksOwn },
    { needs: ["cluster", "vpcs"], run: peeringsHaveRouteTables },
    { needs: ["cluster", "vpcs"], run: peersAreNotTheClusterVpc },
  ];

function natAllowlistFitsEachGroup({ cluster, legacyLoadBalancers }: Sections): ConfigIssue[] {
  const addresses = new Set(cluster.natGatewayIps).size;
  const maxEntries = natPrefixListMaxEntries(addresses, cluster.natPrefixListMaxEntries);
  const issues: ConfigIssue[] = [];
  legacyLoadBalancers.forEach((lb, index) => {
    const ports = new Set(lb.ports).size;
    const planned = natAllowlistRuleCount(ports, maxEntries);
    const total = lb.existingInboundRules + planned;
    if (total <= lb.rulesQuota) return;
    // The smallest list that still holds every NAT address, if that is what would make the group fit.
    const largestFitting = Math.floor((lb.rulesQuota - lb.existingInboundRules) / ports);
    const fixes = [
      `raise the group's inbound rule quota in AWS and set rulesQuota to match`,
      "serve fewer ports from this group",
      ...(largestFitting >= addresses && largestFitting < maxEntries
        ? [`set segmentation:cluster.natPrefixListMaxEntries to at most ${largestFitting}`]
        : []),
    ];
    issues.push({
      path: `segmentation:legacyLoadBalancers[${index}].ports`,
      value: lb.ports,
      problem:
        `would give security group ${lb.securityGroupId} of "${lb.name}" ${total} inbound rules ` +
        `(${lb.existingInboundRules} existing + ${ports} port${ports === 1 ? "" : "s"} × ${maxEntries}, ` +
        `the NAT prefix list's maxEntries), over its quota of ${lb.rulesQuota}`,
      fix: fixes.join(", or "),
    });
  });
  return issues;
}

function natPrefixListHoldsEveryAddress({ cluster }: Sections): ConfigIssue[] {
  const addresses = new Set(cluster.natGatewayIps).size;
  const configured = cluster.natPrefixListMaxEntries;
  if (configured === undefined || configured >= addresses) return [];
  return [
    {
      path: "segmentation:cluster.natPrefixListMaxEntries",
      value: configured,
      problem: `is smaller than the ${addresses} NAT addresses the prefix list must hold`,
      fix: `set it to at least ${addresses}, or remove it for the default (${natPrefixListMaxEntries(addresses)})`,
    },
  ];
}

function clusterVpcIsTheStacksOwn({ cluster, vpcs, region }: Sections): ConfigIssue[] {
  // The stack requests every peering and manages the add-on from the cluster's account and region, through
  // the default provider; a cluster VPC elsewhere would need a peer owner id this config cannot know.
  const vpc = vpcs[cluster.vpc];
  if (!vpc) return [];
  const issues: ConfigIssue[] = [];
  if (vpc.account !== undefined) {
    issues.push({
      path: `segmentation:vpcs.${cluster.vpc}.account`,
      value: vpc.account,
      problem: "puts the cluster's VPC in another account, but the stack runs in the cluster's account",
      fix: "remove it, and run the stack with credentials for the cluster's account",
    });
  }
  if (vpc.region !== undefined && region !== "" && vpc.region !== region) {
    issues.push({
      path: `segmentation:vpcs.${cluster.vpc}.region`,
      value: vpc.region,
      problem: `puts the cluster's VPC outside aws:region (${region}), where the stack runs`,
      fix: `remove it, or set aws:region to ${vpc.region}`,
    });
  }
  return issues;
}

function peeringsHaveRouteTables({ cluster, vpcs }: Sections): ConfigIssue[] {
  const peered = Object.keys(vpcs)
    .filter((name) => name !== cluster.vpc && vpcs[name]?.peered)
    .sort();
  if (peered.length === 0) return [];
  const issues: ConfigIssue[] = [];
  for (const name of [cluster.vpc, ...peered]) {
    const vpc = vpcs[name];
    if (!vpc || vpc.routeTableIds.length > 0) continue;
    issues.push({
      path: `segmentation:vpcs.${name}.routeTableIds`,
      value: vpc.routeTableIds,
      problem:
        name === cluster.vpc
          ? `is empty, so nothing in the cluster's VPC routes to ${peered.join(", ")}`
          : "is empty, so nothing in this peered VPC routes back to the cluster",
      fix:
        name === cluster.vpc
          ? "list the route tables of the cluster's subnets"
          : `list the route tables of the subnets that talk to the cluster, or set segmentation:vpcs.${name}.peered to false`,
    });
  }
  return issues;
}

function peersAreNotTheClusterVpc({ cluster, vpcs }: Sections): ConfigIssue[] {
  // AWS refuses a peering of a VPC with itself only at apply time, after the rest of the stack has changed.
  const own = vpcs[cluster.vpc];
  if (!own) return [];
  return Object.keys(vpcs)
    .sort()
    .filter((name) => name !== cluster.vpc && vpcs[name]?.peered && vpcs[name]?.vpcId === own.vpcId)
    .map((name) => ({
      path: `segmentation:vpcs.${name}.vpcId`,
      value: own.vpcId,
      problem: `is the cluster's own VPC (segmentation:vpcs.${cluster.vpc}), which cannot be peered with itself`,
      fix: `use the id of the ${name} VPC, or remove segmentation:vpcs.${name} if it is the cluster's VPC under another name`,
    }));
}
