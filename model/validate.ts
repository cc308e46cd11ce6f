/**
 * Checks that relate config values to each other: references, overlaps, duplicates, allowlists. Each check
 * names the sections it needs and runs only when they parsed, so one broken section does not hide the
 * problems of the others.
 */

import { addressCount, contains, isPublic, overlaps } from "../core/cidr";
import { isProtectedNamespaceLabel, namespaceNameProblem } from "../core/labels";
import { withRule } from "../core/problems";
import { AREA_RULES, AREAS, type Area, VPCS_NAMED_BY_RULES } from "./areas";
import { AWS_CHECKS } from "./awsChecks";
import { BOUNDARY_CHECKS } from "./boundaryChecks";
import type { ParsedSections } from "./config";
import { type ConfigIssue, configPath } from "./issues";
import { activeNamespaceNames, managedNamespaceNames, meshNamespaceIssues } from "./mesh/config";
import type { ConfigKey } from "./schema";
import { STORE_CHECKS } from "./storeChecks";

type Sections = Required<ParsedSections>;

interface Check {
  needs: readonly ConfigKey[];
  /** Named like the rule it enforces (`peeredVpcsDoNotOverlap`); problems carry it as `peered-vpcs-do-not-overlap`. */
  run(sections: Sections): ConfigIssue[];
}

/** Namespaces the stack never manages as area namespaces. */
export const SYSTEM_NAMESPACES: readonly string[] = [
  "default",
  "kube-node-lease",
  "kube-public",
  "kube-system",
];

/** A non-public allowlist covering this many addresses (a /8) is as good as open. */
const BROAD_ALLOWLIST = 1n << 24n;

const CHECKS: Check[] = [
  { needs: ["cluster", "vpcs"], run: clusterInItsVpc },
  { needs: ["cluster", "vpcs"], run: peeredVpcsDoNotOverlap },
  { needs: ["vpcs"], run: vpcsNamedByRulesExist },
  { needs: ["vpcs"], run: routeTablesBelongToOneVpc },
  { needs: ["vpcs", "accounts"], run: vpcAccountsExist },
  { needs: ["cluster", "vpcs", "sources"], run: cidrListsHaveNoRepeats },
  { needs: ["cluster", "vpcs"], run: natAddressesArePublic },
  { needs: ["namespaces", "tools", "egress"], run: namespacesAreDistinct },
  { needs: ["namespaces"], run: namespaceLabelsAreNotReserved },
  { needs: ["ingress", "sources", "vpcs"], run: ingressAllowlists },
  { needs: ["dataStores", "vpcs", "cluster"], run: dataStores },
  { needs: ["legacyLoadBalancers", "vpcs"], run: legacyLoadBalancers },
  { needs: ["sources", "widestSource"], run: sourcesAreNotTooWide },
  { needs: ["dataStores", "legacyLoadBalancers"], run: storeGroupsAreNotLoadBalancerGroups },
  { needs: ["tools"], run: tools },
  { needs: ["labelIntegrity"], run: labelIntegrity },
  ...AWS_CHECKS,
  ...BOUNDARY_CHECKS,
  ...STORE_CHECKS,
  { needs: ["labelIntegrity", "cluster"], run: admissionPoliciesNeedKubernetes130 },
  { needs: ["mesh", "namespaces"], run: retiredNamespacesAreNotMeshed },
  {
    needs: ["mesh", "namespaces", "tools"],
    run: (s) =>
      meshNamespaceIssues(s.mesh, managedNamespaceNames(activeNamespaceNames(s.namespaces), s.tools)).filter(
        (issue) => !s.namespaces[issue.path.slice("segmentation:mesh.namespaces.".length)]?.retired,
      ),
  },
];

/** A retired namespace is in no area and gets no Linkerd objects: a mesh phase for it would do nothing. */
function retiredNamespacesAreNotMeshed({ mesh, namespaces }: Sections): ConfigIssue[] {
  return Object.keys(mesh.namespaces)
    .sort()
    .filter((name) => namespaces[name]?.retired)
    .map((name) => ({
      path: `segmentation:mesh.namespaces.${name}`,
      value: mesh.namespaces[name],
      problem: `names ${JSON.stringify(name)}, which is retired (segmentation:namespaces.${name}.retired), so the mesh leaves it alone`,
      fix: `remove the entry, or set retired: false on ${name} to put it back in its area`,
    }));
}

export function validateSections(sections: ParsedSections): ConfigIssue[] {
  return CHECKS.filter((check) => check.needs.every((key) => sections[key] !== undefined)).flatMap((check) =>
    withRule(ruleName(check.run.name), check.run(sections as Sections)),
  );
}

/** `peeredVpcsDoNotOverlap` → `peered-vpcs-do-not-overlap`. */
function ruleName(functionName: string): string {
  return functionName.replace(/[A-Z0-9]+/g, (upper) => `-${upper.toLowerCase()}`).replace(/^-/, "");
}

function clusterInItsVpc({ cluster, vpcs }: Sections): ConfigIssue[] {
  const vpc = vpcs[cluster.vpc];
  if (!vpc) {
    return [
      {
        path: "segmentation:cluster.vpc",
        value: cluster.vpc,
        problem: "is not a VPC in segmentation:vpcs",
        fix: `use one of ${Object.keys(vpcs).sort().join(", ")}`,
      },
    ];
  }
  const issues: ConfigIssue[] = [];
  const outside = (field: "cidrs" | "controlPlaneCidrs") =>
    cluster[field].forEach((cidr, index) => {
      if (!contains(vpc.cidrs, cidr)) {
        issues.push({
          path: `segmentation:cluster.${field}[${index}]`,
          value: cidr,
          problem: `is outside the cluster's VPC "${cluster.vpc}" (${vpc.cidrs.join(", ")})`,
          fix: `use a range inside ${vpc.cidrs.join(" or ")}, or add the VPC's secondary CIDR to segmentation:vpcs.${cluster.vpc}.cidrs`,
        });
      }
    });
  outside("cidrs");
  outside("controlPlaneCidrs");
  return issues;
}

function peeredVpcsDoNotOverlap({ cluster, vpcs }: Sections): ConfigIssue[] {
  // Every peer is routed from the cluster's VPC, so any two of them overlapping makes routing ambiguous,
  // and AWS fails a peering whose two sides overlap.
  const routed = Object.entries(vpcs)
    .filter(([name, vpc]) => name === cluster.vpc || vpc.peered)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const issues: ConfigIssue[] = [];
  for (let i = 0; i < routed.length; i++) {
    for (let j = i + 1; j < routed.length; j++) {
      const [nameA, vpcA] = routed[i]!;
      const [nameB, vpcB] = routed[j]!;
      vpcB.cidrs.forEach((cidrB, index) => {
        const clash = vpcA.cidrs.find((cidrA) => overlaps(cidrA, cidrB));
        if (clash) {
          issues.push({
            path: `segmentation:vpcs.${nameB}.cidrs[${index}]`,
            value: cidrB,
            problem: `overlaps ${clash} of VPC "${nameA}"; peered VPCs need disjoint ranges`,
            fix: `correct the CIDR of "${nameB}" or "${nameA}", or set segmentation:vpcs.${nameB}.peered to false`,
          });
        }
      });
    }
  }
  return issues;
}

function vpcsNamedByRulesExist({ vpcs }: Sections): ConfigIssue[] {
  return VPCS_NAMED_BY_RULES.filter((name) => !vpcs[name]).map((name) => ({
    path: `segmentation:vpcs.${name}`,
    value: undefined,
    problem: `is missing; the area rules give ${AREAS.filter((a) => AREA_RULES[a].egressToVpcs.includes(name)).join(", ")} egress to it`,
    fix: `add the "${name}" VPC (vpcId, cidrs, routeTableIds)`,
  }));
}

function routeTablesBelongToOneVpc({ vpcs }: Sections): ConfigIssue[] {
  const owner = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const [name, vpc] of Object.entries(vpcs).sort(([a], [b]) => (a < b ? -1 : 1))) {
    vpc.routeTableIds.forEach((id, index) => {
      const first = owner.get(id);
      if (first === undefined) owner.set(id, name);
      else {
        issues.push({
          path: `segmentation:vpcs.${name}.routeTableIds[${index}]`,
          value: id,
          problem: first === name ? "is listed twice" : `is already listed under VPC "${first}"`,
          fix: "a route table belongs to one VPC; keep it under that VPC only",
        });
      }
    });
  }
  return issues;
}

function vpcAccountsExist({ vpcs, accounts }: Sections): ConfigIssue[] {
  return Object.entries(vpcs)
    .filter(([, vpc]) => vpc.account !== undefined && !accounts[vpc.account])
    .map(([name, vpc]) => ({
      path: `segmentation:vpcs.${name}.account`,
      value: vpc.account,
      problem: "is not an account in segmentation:accounts",
      fix: `add it there with its roleArn, or use one of ${Object.keys(accounts).join(", ") || "(none configured)"}`,
    }));
}

function cidrListsHaveNoRepeats({ cluster, vpcs, sources }: Sections): ConfigIssue[] {
  const lists: [string, readonly string[]][] = [
    ["segmentation:cluster.cidrs", cluster.cidrs],
    ["segmentation:cluster.controlPlaneCidrs", cluster.controlPlaneCidrs],
    ...Object.entries(vpcs).map(([name, vpc]): [string, readonly string[]] => [
      `segmentation:vpcs.${name}.cidrs`,
      vpc.cidrs,
    ]),
    ...Object.entries(sources).map(([name, cidrs]): [string, readonly string[]] => [
      `segmentation:sources.${name}`,
      cidrs,
    ]),
  ];
  const issues: ConfigIssue[] = [];
  for (const [path, cidrs] of lists) {
    cidrs.forEach((cidr, index) => {
      const earlier = cidrs.slice(0, index).findIndex((other) => overlaps(other, cidr));
      if (earlier >= 0) {
        issues.push({
          path: `${path}[${index}]`,
          value: cidr,
          problem:
            cidrs[earlier] === cidr ? "is listed twice" : `overlaps ${cidrs[earlier]} of the same list`,
          fix: "list each range once; merge overlapping ranges into one",
        });
      }
    });
  }
  return issues;
}

function natAddressesArePublic({ cluster, vpcs }: Sections): ConfigIssue[] {
  const lists: [string, readonly string[]][] = [
    ["segmentation:cluster.natGatewayIps", cluster.natGatewayIps],
    ...Object.entries(vpcs).map(([name, vpc]): [string, readonly string[]] => [
      `segmentation:vpcs.${name}.natGatewayIps`,
      vpc.natGatewayIps,
    ]),
  ];
  const issues: ConfigIssue[] = [];
  for (const [path, ips] of lists) {
    ips.forEach((ip, index) => {
      if (!isPublic(`${ip}/32`)) {
        issues.push({
          path: `${path}[${index}]`,
          value: ip,
          problem: "is not a public address; NAT gateways are seen from outside by their elastic IPs",
          fix: "use the gateway's elastic IP, not its private address",
        });
      } else if (ips.indexOf(ip) < index) {
        issues.push({
          path: `${path}[${index}]`,
          value: ip,
          problem: "is listed twice",
          fix: "list each address once",
        });
      }
    });
  }
  return issues;
}

function namespacesAreDistinct({ namespaces, tools, egress }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // Later entries give way to earlier ones: kube-system is a system namespace before it is DNS's home.
  const reserved = new Map<string, string>(
    [
      ...SYSTEM_NAMESPACES.map((name): [string, string] => [name, "a system namespace"]),
      [egress.dns.namespace, "the cluster DNS namespace"] as [string, string],
      [tools.monitoring.namespace, "the monitoring tool's namespace"] as [string, string],
      [tools.vault.namespace, "the vault tool's namespace"] as [string, string],
      ...AREAS.map((area): [string, string] => [
        `ingress-${area}`,
        `the ${area} ingress controller's namespace`,
      ]),
    ].reverse(),
  );
  const seen = new Map<string, string>();
  for (const [name, ns] of Object.entries(namespaces).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const nameProblem = namespaceNameProblem(name);
    if (nameProblem) {
      issues.push({
        path: configPath("namespaces", [name]),
        value: name,
        problem: nameProblem,
        fix: 'rename it to a DNS-1123 label such as "payments-api"',
      });
    }
    const role = reserved.get(name);
    if (role) {
      issues.push({
        path: configPath("namespaces", [name]),
        value: name,
        problem: `is ${role}, which carries no area`,
        fix: "remove it from segmentation:namespaces or rename the namespace",
      });
    }
    const key = name.trim().toLowerCase();
    const twin = seen.get(key);
    if (twin !== undefined) {
      issues.push({
        path: `segmentation:namespaces.${name}`,
        value: name,
        problem: `is listed twice (also as "${twin}" in area ${namespaces[twin]?.area}, here in area ${ns.area})`,
        fix: "keep one entry per namespace, with the one area it belongs to",
      });
    } else seen.set(key, name);
    if (ns.ingressControllers.includes(ns.area)) {
      issues.push({
        path: `segmentation:namespaces.${name}.ingressControllers`,
        value: ns.ingressControllers,
        problem: `names the namespace's own area "${ns.area}", whose controller is always allowed`,
        fix: "list only other areas' controllers",
      });
    }
  }
  return issues;
}

function namespaceLabelsAreNotReserved({ namespaces }: Sections): ConfigIssue[] {
  return Object.entries(namespaces).flatMap(([name, ns]) =>
    Object.keys(ns.labels)
      .filter(isProtectedNamespaceLabel)
      .map((key) => ({
        path: `segmentation:namespaces.${name}.labels`,
        value: key,
        problem: "is a label the stack sets itself from the namespace's area and controllers",
        fix: "remove it; use the namespace's area and ingressControllers fields instead",
      })),
  );
}

type IngressEntry = Sections["ingress"][Area];

function ingressAllowlists({ ingress, sources, vpcs }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(ingress).sort()) {
    if (!(AREAS as readonly string[]).includes(key)) {
      issues.push({
        path: `segmentation:ingress.${key}`,
        value: key,
        problem: "is not an area",
        fix: `use one of ${AREAS.join(", ")}`,
      });
    }
  }
  for (const area of AREAS) {
    issues.push(
      ...(AREA_RULES[area].publicController
        ? publicControllerIssues(area, ingress[area])
        : loadBalancerControllerIssues(area, ingress[area], sources, vpcs)),
    );
  }
  return issues;
}

/** The public controller faces the internet behind its WAF: no allowlist, but rule groups and a certificate. */
function publicControllerIssues(area: Area, entry: IngressEntry | undefined): ConfigIssue[] {
  const base = `segmentation:ingress.${area}`;
  const issues: ConfigIssue[] = [];
  if (entry && (entry.sources.length > 0 || entry.natGatewaysOf.length > 0)) {
    issues.push({
      path: `${base}.sources`,
      value: [...entry.sources, ...entry.natGatewaysOf],
      problem: "restricts a public controller, which faces the whole internet behind its WAF",
      fix: "remove sources and natGatewaysOf from the public controller",
    });
  }
  if (!entry?.wafManagedRuleGroups?.length) {
    issues.push({
      path: `${base}.wafManagedRuleGroups`,
      value: entry?.wafManagedRuleGroups,
      problem: "is empty, so the public controller's WAF would let every request through unfiltered",
      fix: 'list AWS managed rule groups, e.g. "AWSManagedRulesCommonRuleSet"',
    });
  }
  if (!entry?.certificateArns?.length) {
    issues.push({
      path: `${base}.certificateArns`,
      value: entry?.certificateArns,
      problem: "is empty; the public controller's ALB needs a certificate to serve HTTPS",
      fix: "list the ACM certificate ARNs of the public hostnames",
    });
  }
  return issues;
}

/**
 * A controller behind an NLB admits only its allowlist: the sources and NAT gateways it names must exist,
 * and together they must stay well short of the internet.
 */
function loadBalancerControllerIssues(
  area: Area,
  entry: IngressEntry | undefined,
  sources: Sections["sources"],
  vpcs: Sections["vpcs"],
): ConfigIssue[] {
  const base = `segmentation:ingress.${area}`;
  const issues: ConfigIssue[] = [];
  for (const field of ["wafManagedRuleGroups", "certificateArns"] as const) {
    if (entry?.[field]?.length) {
      issues.push({
        path: `${base}.${field}`,
        value: entry[field],
        problem: `applies to the public controller's ALB only; the ${area} controller sits behind an NLB, which passes TLS through and cannot carry a WAF`,
        fix: `remove ${field} from the ${area} controller`,
      });
    }
  }
  if (!entry || (entry.sources.length === 0 && entry.natGatewaysOf.length === 0)) {
    issues.push({
      path: `${base}.sources`,
      value: entry?.sources,
      problem: "is empty; an empty allowlist on a load balancer admits the whole internet",
      fix: `name at least one source from segmentation:sources (${Object.keys(sources).sort().join(", ") || "none defined"})`,
    });
    return issues;
  }
  const { cidrs, widest } = allowlistSources(issues, base, area, entry.sources, sources);
  issues.push(...natGatewayIssues(base, entry.natGatewaysOf, vpcs));
  const covered = addressCount(cidrs);
  if (covered >= BROAD_ALLOWLIST && !cidrs.includes("0.0.0.0/0")) {
    // Named by the source that contributes most: that is the entry to narrow.
    issues.push({
      path: widest.index >= 0 ? `${base}.sources[${widest.index}]` : `${base}.natGatewaysOf`,
      value: widest.index >= 0 ? widest.name : entry.natGatewaysOf,
      problem:
        widest.index >= 0
          ? `names source "${widest.name}", whose ranges cover ${widest.covered} addresses; with it the ${area} controller admits ${covered} addresses (a /8 or more), as good as open to the internet`
          : `makes the ${area} controller admit ${covered} addresses (a /8 or more), as good as open to the internet`,
      fix:
        widest.index >= 0
          ? `narrow segmentation:sources.${widest.name} to its real networks`
          : "list only the VPCs whose NAT gateways need the controller",
    });
  }
  return issues;
}

/**
 * The ranges of the sources an allowlist names, and the source that covers most addresses (the one to
 * narrow when the allowlist is too broad). Unknown sources and 0.0.0.0/0 are reported into `issues`.
 */
function allowlistSources(
  issues: ConfigIssue[],
  base: string,
  area: Area,
  names: readonly string[],
  sources: Sections["sources"],
): { cidrs: string[]; widest: { index: number; name: string; covered: bigint } } {
  const cidrs: string[] = [];
  const widest = { index: -1, name: "", covered: -1n };
  names.forEach((name, index) => {
    const ranges = sources[name];
    if (!ranges) {
      const known = Object.keys(sources).sort();
      issues.push({
        path: `${base}.sources[${index}]`,
        value: name,
        problem: "is not a source in segmentation:sources",
        fix: `use one of ${known.join(", ") || "(none defined)"}, or define it there`,
      });
      return;
    }
    ranges.forEach((cidr) => {
      if (cidr === "0.0.0.0/0") {
        issues.push({
          path: `${base}.sources[${index}]`,
          value: name,
          problem: `contains 0.0.0.0/0, which opens the ${area} controller to the whole internet`,
          fix: "list the source's real networks; only the public area faces the internet",
        });
      }
    });
    cidrs.push(...ranges);
    const covered = addressCount(ranges);
    if (covered > widest.covered) Object.assign(widest, { index, name, covered });
  });
  return { cidrs, widest };
}

/** Each VPC whose NAT gateways an allowlist takes must exist and have NAT gateway addresses. */
function natGatewayIssues(base: string, names: readonly string[], vpcs: Sections["vpcs"]): ConfigIssue[] {
  return names.flatMap((name, index): ConfigIssue[] => {
    const vpc = vpcs[name];
    if (!vpc) {
      return [
        {
          path: `${base}.natGatewaysOf[${index}]`,
          value: name,
          problem: "is not a VPC in segmentation:vpcs",
          fix: `use one of ${Object.keys(vpcs).sort().join(", ")}`,
        },
      ];
    }
    if (vpc.natGatewayIps.length === 0) {
      return [
        {
          path: `${base}.natGatewaysOf[${index}]`,
          value: name,
          problem: "names a VPC with no natGatewayIps",
          fix: `add the NAT gateway addresses to segmentation:vpcs.${name}.natGatewayIps`,
        },
      ];
    }
    return [];
  });
}

function dataStores({ dataStores, vpcs, cluster }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = new Map<string, number>();
  const rules = new Map<string, string>();
  dataStores.forEach((store, index) => {
    const base = `segmentation:dataStores[${index}]`;
    const vpc = vpcs[store.vpc];
    if (!vpc) {
      issues.push({
        path: `${base}.vpc`,
        value: store.vpc,
        problem: "is not a VPC in segmentation:vpcs",
        fix: `use one of ${Object.keys(vpcs).sort().join(", ")}`,
      });
    } else if (store.vpc !== cluster.vpc && !vpc.peered) {
      issues.push({
        path: `${base}.vpc`,
        value: store.vpc,
        problem: "is not peered with the cluster's VPC, so the cluster cannot reach the store",
        fix: `peer it (segmentation:vpcs.${store.vpc}.peered: true) or move the store`,
      });
    }
    if (store.port === undefined && store.ports === undefined) {
      issues.push({
        path: `${base}.port`,
        value: undefined,
        problem: `is missing for data store "${store.name}"`,
        fix: "give the port the store listens on (e.g. 5432 for PostgreSQL)",
      });
    }
    const first = names.get(store.name);
    if (first !== undefined) {
      issues.push({
        path: `${base}.name`,
        value: store.name,
        problem: `is already used by segmentation:dataStores[${first}]`,
        fix: "give each data store its own name",
      });
    } else names.set(store.name, index);
    for (const port of [...(store.port === undefined ? [] : [store.port]), ...(store.ports ?? [])]) {
      const key = `${store.securityGroupId}:${port}`;
      const owner = rules.get(key);
      if (owner !== undefined && owner !== store.name) {
        issues.push({
          path: `${base}.securityGroupId`,
          value: store.securityGroupId,
          problem: `opens port ${port} again, already opened for data store "${owner}"`,
          fix: "list a security group and port once; stores behind one group share its rules",
        });
      } else rules.set(key, store.name);
    }
  });
  return issues;
}

function legacyLoadBalancers({ legacyLoadBalancers, vpcs }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = new Map<string, number>();
  const groups = new Map<string, number>();
  legacyLoadBalancers.forEach((lb, index) => {
    const base = `segmentation:legacyLoadBalancers[${index}]`;
    if (!vpcs[lb.vpc]) {
      issues.push({
        path: `${base}.vpc`,
        value: lb.vpc,
        problem: "is not a VPC in segmentation:vpcs",
        fix: `use one of ${Object.keys(vpcs).sort().join(", ")}`,
      });
    }
    const first = names.get(lb.name);
    if (first !== undefined) {
      issues.push({
        path: `${base}.name`,
        value: lb.name,
        problem: `is already used by segmentation:legacyLoadBalancers[${first}]`,
        fix: "give each load balancer its own name",
      });
    } else names.set(lb.name, index);
    const sameGroup = groups.get(lb.securityGroupId);
    if (sameGroup !== undefined) {
      issues.push({
        path: `${base}.securityGroupId`,
        value: lb.securityGroupId,
        problem: `is also the group of segmentation:legacyLoadBalancers[${sameGroup}]`,
        fix: "list a security group once, with all the ports its load balancers serve",
      });
    } else groups.set(lb.securityGroupId, index);
    if (lb.ports.length === 0) {
      issues.push({
        path: `${base}.ports`,
        value: lb.ports,
        problem: `is empty, so the cluster's NAT addresses would reach load balancer "${lb.name}" on no port`,
        fix: `list the ports "${lb.name}" serves to the cluster (e.g. [443]), or remove it from segmentation:legacyLoadBalancers`,
      });
    }
    lb.ports.forEach((port, portIndex) => {
      if (lb.ports.indexOf(port) < portIndex) {
        issues.push({
          path: `${base}.ports[${portIndex}]`,
          value: port,
          problem: "is listed twice",
          fix: "list it once",
        });
      }
    });
  });
  return issues;
}

/**
 * A source is a site's own networks (an office, a VPN pool): a range wider than `segmentation:widestSource`
 * is a typo or a whole provider's block, and admits far more than the site. 0.0.0.0/0 is reported where a
 * controller uses it.
 */
function sourcesAreNotTooWide({ sources, widestSource }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(sources).sort()) {
    sources[name]?.forEach((cidr, index) => {
      const length = Number(cidr.split("/")[1]);
      if (cidr === "0.0.0.0/0" || length >= widestSource) return;
      issues.push({
        path: configPath("sources", [name, index]),
        value: cidr,
        problem: `is a /${length} (${addressCount([cidr])} addresses), wider than segmentation:widestSource (/${widestSource})`,
        fix: `list the site's real networks, or raise segmentation:widestSource to "/${length}" if the whole range is truly the site's`,
      });
    });
  }
  return issues;
}

/**
 * The store openings and the NAT allowlist each manage rules on their group; on one shared group the
 * cluster's pods would reach the load balancer's ports through the store's rules, the NAT addresses the
 * store's port, and the quota count of the load balancer would leave the store's rules out.
 */
function storeGroupsAreNotLoadBalancerGroups({ dataStores, legacyLoadBalancers }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  dataStores.forEach((store, index) => {
    const lbIndex = legacyLoadBalancers.findIndex((lb) => lb.securityGroupId === store.securityGroupId);
    const lb = legacyLoadBalancers[lbIndex];
    if (!lb) return;
    issues.push({
      path: `segmentation:dataStores[${index}].securityGroupId`,
      value: store.securityGroupId,
      problem: `of data store "${store.name}" is also the group of legacy load balancer "${lb.name}" (segmentation:legacyLoadBalancers[${lbIndex}])`,
      fix: `use the store's own security group; the stack opens the store to the cluster's pods and the load balancer to its NAT addresses, and one group would do both`,
    });
  });
  return issues;
}

function tools({ tools }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (tools.monitoring.namespace === tools.vault.namespace) {
    issues.push({
      path: "segmentation:tools.vault.namespace",
      value: tools.vault.namespace,
      problem: "is also the monitoring namespace",
      fix: "give each tool its own namespace",
    });
  }
  if (tools.monitoring.exposedVia.length > 0 && !tools.monitoring.ports) {
    issues.push({
      path: "segmentation:tools.monitoring.ports",
      value: undefined,
      problem: "is missing, but monitoring is exposed through an ingress controller",
      fix: "list the ports the controller forwards to (e.g. 3000 for Grafana)",
    });
  }
  return issues;
}

function labelIntegrity({ labelIntegrity }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { groups, users, serviceAccounts } = labelIntegrity.platformPrincipals;
  if (labelIntegrity.enforcement === "deny" && groups.length + users.length + serviceAccounts.length === 0) {
    issues.push({
      path: "segmentation:labelIntegrity.platformPrincipals",
      value: labelIntegrity.platformPrincipals,
      problem: "is empty while enforcement is deny, which would refuse the stack's own updates",
      fix: "name the group, user or service account that runs `pulumi up`",
    });
  }
  // The contact goes into the admission policies' messages, which the API server refuses on several lines.
  if (/[\r\n]/.test(labelIntegrity.contact)) {
    issues.push({
      path: "segmentation:labelIntegrity.contact",
      value: labelIntegrity.contact,
      problem: "spans several lines; Kubernetes refuses admission messages with line breaks",
      fix: "write it on one line",
    });
  }
  return issues;
}

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy is served from Kubernetes 1.30 on. */
function admissionPoliciesNeedKubernetes130({ cluster }: Sections): ConfigIssue[] {
  const version = cluster.vpcCni?.kubernetesVersion;
  const minor = version === undefined ? undefined : Number(version.split(".")[1]);
  if (minor === undefined || minor >= 30) return [];
  return [
    {
      path: "segmentation:cluster.vpcCni.kubernetesVersion",
      value: version,
      problem: "is older than 1.30, which the label-integrity admission policies need",
      fix: "upgrade the cluster to 1.30 or later before deploying this stack",
    },
  ];
}
