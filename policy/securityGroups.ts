/**
 * Security-group ingress open to the whole internet, as a pure function of a resource's type, name and
 * inputs.
 *
 * How the pack tells a data store's group apart: it does not try to. The stack owns no security group of its
 * own; it only adds rules to groups that exist already (the data stores', the legacy load balancers'), each
 * opened to the cluster's CIDRs or to the NAT prefix list. The public ALB's group, the one group in the
 * estate that faces the internet, belongs to the AWS Load Balancer Controller and is not in the stack. So any
 * rule this stack declares that opens a group to 0.0.0.0/0 or ::/0 is at best a mistake and at worst a data
 * store on the internet; both are refused. A group that really must face the internet is named in the
 * policy's config (`publicSecurityGroups`), which keeps every exception in one reviewed place.
 */

export const SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
/** A rule can also open a group through a prefix list: an entry for the whole internet opens it as wide. */
export const MANAGED_PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList";
export const MANAGED_PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry";

/** Every resource type the check reads. */
export const CHECKED_TYPES: readonly string[] = [
  SECURITY_GROUP_INGRESS_RULE,
  SECURITY_GROUP_RULE,
  SECURITY_GROUP,
  MANAGED_PREFIX_LIST,
  MANAGED_PREFIX_LIST_ENTRY,
];

export interface ResourceLike {
  /** The Pulumi type token. */
  type: string;
  /** The Pulumi logical name. */
  name: string;
  /** The resource's inputs. */
  props: Readonly<Record<string, unknown>>;
}

export interface PublicIngressOptions {
  /**
   * Groups allowed to face the internet: ids (`sg-…`) of existing groups, or the Pulumi name of a group the
   * stack declares (its id is not known before it exists).
   */
  publicSecurityGroups: readonly string[];
}

/** One opening to the internet, as read from a resource. */
interface OpenIngress {
  cidr: string;
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
}

/** True for a CIDR with a zero-length prefix: every address of its family. */
export function isWholeInternet(cidr: unknown): boolean {
  if (typeof cidr !== "string") return false;
  const slash = cidr.lastIndexOf("/");
  if (slash < 0) return false;
  const mask = cidr.slice(slash + 1).trim();
  return /^\d+$/.test(mask) && Number(mask) === 0;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function openings(props: Readonly<Record<string, unknown>>, cidrs: string[], protocolKey: string) {
  return cidrs.filter(isWholeInternet).map(
    (cidr): OpenIngress => ({
      cidr,
      protocol: props[protocolKey],
      fromPort: props.fromPort,
      toPort: props.toPort,
    }),
  );
}

/** The internet-wide openings of a resource, and how to name the group they open. */
function openIngressOf(resource: ResourceLike): {
  openings: OpenIngress[];
  group: () => unknown;
  prefixList?: true;
} {
  const { props } = resource;
  switch (resource.type) {
    case SECURITY_GROUP_INGRESS_RULE:
      return {
        openings: openings(props, strings([props.cidrIpv4, props.cidrIpv6]), "ipProtocol"),
        group: () => props.securityGroupId,
      };
    case SECURITY_GROUP_RULE:
      return {
        openings:
          props.type === "ingress"
            ? openings(props, [...strings(props.cidrBlocks), ...strings(props.ipv6CidrBlocks)], "protocol")
            : [],
        group: () => props.securityGroupId,
      };
    case SECURITY_GROUP: {
      const rules = Array.isArray(props.ingress) ? (props.ingress as Record<string, unknown>[]) : [];
      return {
        openings: rules.flatMap((rule) =>
          openings(rule, [...strings(rule.cidrBlocks), ...strings(rule.ipv6CidrBlocks)], "protocol"),
        ),
        group: () => resource.name,
      };
    }
    case MANAGED_PREFIX_LIST: {
      const entries = Array.isArray(props.entries) ? (props.entries as Record<string, unknown>[]) : [];
      return {
        openings: entries.flatMap((entry) => openings({}, strings([entry.cidr]), "protocol")),
        // No group to exempt: the list opens whichever groups reference it.
        group: () => undefined,
        prefixList: true,
      };
    }
    case MANAGED_PREFIX_LIST_ENTRY:
      return {
        openings: openings({}, strings([props.cidr]), "protocol"),
        // No group to exempt: the list opens whichever groups reference it.
        group: () => undefined,
        prefixList: true,
      };
    default:
      return { openings: [], group: () => undefined };
  }
}

function describePorts(open: OpenIngress): string {
  const protocol = String(open.protocol ?? "tcp");
  if (protocol === "-1" || protocol === "all") return "all traffic";
  if (open.fromPort === open.toPort) return `${protocol} ${String(open.fromPort)}`;
  return `${protocol} ${String(open.fromPort)}-${String(open.toPort)}`;
}

/** The group for a message; a group whose id is not known yet is still worth the violation. */
function describeGroup(group: () => unknown): string {
  try {
    const groupRef = group();
    return typeof groupRef === "string" ? `security group ${groupRef}` : "its security group";
  } catch {
    return "its security group";
  }
}

/** Violations of "no security group is opened to the internet": empty when the resource is fine. */
export function publicIngressProblems(resource: ResourceLike, options: PublicIngressOptions): string[] {
  const { openings: open, group, prefixList } = openIngressOf(resource);
  if (open.length === 0) return [];
  // The group is read only when the answer depends on it: during preview a group created in the same update
  // has no id yet, and reading an unknown value turns the check into an advisory "can't be known".
  if (options.publicSecurityGroups.length > 0) {
    const groupRef = group();
    if (typeof groupRef === "string" && options.publicSecurityGroups.includes(groupRef)) return [];
  }
  if (prefixList) {
    return open.map(
      (o) =>
        `${resource.name} puts ${o.cidr} in a prefix list, which opens every security group whose rules ` +
        "reference the list to the whole internet. The stack's prefix lists hold known addresses (the NAT " +
        "gateways); remove the entry.",
    );
  }
  const where = describeGroup(group);
  return open.map(
    (o) =>
      `${resource.name} opens ${where} to ${o.cidr} (${describePorts(o)}). This stack only opens groups to ` +
      "known ranges (the cluster's CIDRs, the NAT prefix list); a data store open to the internet is a " +
      "breach. Narrow the source, or, for a group that must face the internet, add its id to the policy's " +
      "publicSecurityGroups config.",
  );
}
