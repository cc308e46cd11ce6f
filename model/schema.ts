/**
 * The shape of a stack's `segmentation:*` config, one zod schema per key. Shape and per-value checks live
 * here (a CIDR's syntax, a port's range, a name Kubernetes would accept); checks that relate values to each
 * other (overlaps, references, quotas) live in `validate.ts`.
 *
 * Leaf checks attach a `fix` to each issue, so every problem reaches the user as path, value, rule and fix.
 */
import { z } from "zod";
import { checkIpv4Address, checkIpv4Cidr } from "../core/cidr";
import { labelKeyProblem, labelValueProblem, namespaceNameProblem } from "../core/labels";
import { AREAS, PHASES } from "./areas";
import { meshSchema } from "./mesh/config";
import { AWS_MANAGED_RULE_GROUPS, AWS_MANAGED_RULE_GROUPS_SOURCE } from "./wafRuleGroups";
import { suggestion } from "./zodIssues";

function custom(ctx: z.RefinementCtx, input: unknown, message: string, fix: string): void {
  ctx.addIssue({ code: "custom", message, input, params: { fix } });
}

const cidr = z.string().transform((value, ctx) => {
  const checked = checkIpv4Cidr(value);
  if (checked.ok) return checked.cidr;
  custom(ctx, value, checked.error.problem, checked.error.fix);
  return z.NEVER;
});

const address = z.string().transform((value, ctx) => {
  const checked = checkIpv4Address(value);
  if (checked.ok) return checked.address;
  custom(ctx, value, checked.error.problem, checked.error.fix);
  return z.NEVER;
});

/** A string that must match `pattern`; the issue says what is wrong and how to fix it. */
function matching(pattern: RegExp, problem: string, fix: string) {
  return z.string().superRefine((value, ctx) => {
    if (!pattern.test(value)) custom(ctx, value, problem, fix);
  });
}

const port = z.number().superRefine((value, ctx) => {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    custom(ctx, value, "is out of range for a port", "use a whole number from 1 to 65535");
  }
});

function awsId(prefix: string, example: string) {
  return matching(
    new RegExp(`^${prefix}-[0-9a-f]{1,17}$`),
    `is not a ${prefix} id`,
    `use the id AWS shows, e.g. "${example}"`,
  );
}

const namespaceName = z.string().superRefine((value, ctx) => {
  const problem = namespaceNameProblem(value);
  if (problem) custom(ctx, value, problem, 'rename it to a DNS-1123 label such as "payments-api"');
});

const labels = z.record(z.string(), z.string()).superRefine((value, ctx) => {
  for (const [key, labelValue] of Object.entries(value)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: keyProblem,
        input: key,
        params: { fix: 'use a key such as "team" or "example.com/team"' },
      });
    }
    const valueProblem = labelValueProblem(labelValue);
    if (valueProblem) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: valueProblem,
        input: labelValue,
        params: { fix: "shorten it and keep to letters, digits, '-', '_' and '.'" },
      });
    }
  }
});

const name = matching(
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  "is not a valid name",
  "use lower-case letters, digits and '-'",
);

/** A rule group AWS publishes (model/wafRuleGroups.ts); a near miss gets the name it probably meant. */
const wafRuleGroup = z.string().superRefine((value, ctx) => {
  if ((AWS_MANAGED_RULE_GROUPS as readonly string[]).includes(value)) return;
  custom(
    ctx,
    value,
    "is not a rule group AWS publishes",
    suggestion(value, AWS_MANAGED_RULE_GROUPS) ??
      `use one listed at ${AWS_MANAGED_RULE_GROUPS_SOURCE}, e.g. "AWSManagedRulesCommonRuleSet"`,
  );
});

const area = z.enum(AREAS);
const phase = z.enum(PHASES);

export const clusterSchema = z.strictObject({
  /** The EKS cluster's name. */
  name: matching(
    /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
    "is not a valid EKS cluster name",
    "use letters, digits, '-' and '_', starting with a letter or digit",
  ),
  /** The key in `segmentation:vpcs` of the VPC the cluster runs in. */
  vpc: z.string(),
  /** CIDRs pods get addresses from (inside the cluster's VPC). */
  cidrs: z.array(cidr).min(1),
  /** Public addresses of the cluster's NAT gateways (every EIP of every gateway). */
  natGatewayIps: z.array(address).min(1),
  /** Where the EKS control plane's ENIs live: admission webhooks are called from there. */
  controlPlaneCidrs: z.array(cidr).min(1),
  /**
   * Size of the managed prefix list of NAT addresses allowlisted on legacy load balancers; every rule that
   * references it counts this many against its group's quota. Default: the number of addresses plus 2.
   */
  natPrefixListMaxEntries: z
    .number()
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < 1 || value > 1000) {
        custom(ctx, value, "is not a prefix list size AWS accepts", "use a whole number from 1 to 1000");
      }
    })
    .optional(),
  /** The VPC CNI add-on, which enforces NetworkPolicies only when `enableNetworkPolicy` is on. */
  vpcCni: z
    .strictObject({
      manage: z.boolean().default(true),
      kubernetesVersion: matching(/^1\.\d{2}$/, "is not a Kubernetes minor version", 'write it as "1.33"'),
      addonVersion: z.string().optional(),
      enforcingMode: z.enum(["standard", "strict"]).default("standard"),
    })
    .optional(),
});

export const vpcSchema = z.strictObject({
  vpcId: awsId("vpc", "vpc-0a1b2c3d4e5f60718"),
  cidrs: z.array(cidr).min(1),
  /** Route tables of this VPC that get a route to the other side of the peering. */
  routeTableIds: z.array(awsId("rtb", "rtb-0a1b2c3d4e5f60718")).default([]),
  /** Public addresses of this VPC's NAT gateways (the legacy ones are allowlisted on ingress controllers). */
  natGatewayIps: z.array(address).default([]),
  /** Key in `segmentation:accounts` when the VPC lives in another account. */
  account: z.string().optional(),
  /** Region of the VPC when it differs from `aws:region`. */
  region: z.string().optional(),
  /** Whether the cluster's VPC is peered with this one (false for VPCs only named for their NAT IPs). */
  peered: z.boolean().default(true),
});

export const accountSchema = z.strictObject({
  roleArn: matching(
    /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    "is not an IAM role ARN",
    'use "arn:aws:iam::<12-digit account>:role/<name>"',
  ),
  region: z.string().optional(),
});

export const sourcesSchema = z.record(z.string(), z.array(cidr));

/** The widest range a source may list, as a prefix length: "/16" refuses a /15 and anything wider. */
export const DEFAULT_WIDEST_SOURCE = "/16";
export const widestSourceSchema = z
  .string()
  .transform((value, ctx) => {
    const match = /^\/(\d{1,2})$/.exec(value);
    const length = match ? Number(match[1]) : Number.NaN;
    if (length >= 1 && length <= 32) return length;
    custom(ctx, value, "is not a prefix length", 'write it as "/16", from "/1" to "/32"');
    return z.NEVER;
  })
  .prefault(DEFAULT_WIDEST_SOURCE);

export const ingressControllerSchema = z.strictObject({
  /**
   * Subnets the controller's load balancer lives in (the ALB's for the public controller, the NLB's for the
   * others): health checks, and every request behind the ALB, come from these addresses. The controller
   * admits them and not the rest of the VPC, whose pod ranges would otherwise reach it directly.
   */
  loadBalancerSubnets: z.array(cidr).min(1).optional(),
  /** Names from `segmentation:sources` allowed through this controller's load balancer. */
  sources: z.array(z.string()).default([]),
  /** VPCs whose NAT gateway addresses are allowed (the legacy ECS VPCs). */
  natGatewaysOf: z.array(z.string()).default([]),
  /** AWS managed rule groups of the WAF in front of a public controller. */
  wafManagedRuleGroups: z.array(wafRuleGroup).optional(),
  /** ACM certificates the public controller's ALB terminates TLS with (the first is the default). */
  certificateArns: z
    .array(
      matching(
        /^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/,
        "is not an ACM certificate ARN",
        'use "arn:aws:acm:<region>:<account>:certificate/<id>" as ACM shows it',
      ),
    )
    .optional(),
});
export const ingressSchema = z.record(z.string(), ingressControllerSchema);

export const namespaceSchema = z.strictObject({
  area,
  /** Overrides `segmentation:phase` for this namespace (a strict rollout goes namespace by namespace). */
  phase: phase.optional(),
  /** Other areas' ingress controllers this namespace also admits (the seed's workaround). */
  ingressControllers: z.array(area).default([]),
  /** Extra labels for the namespace. */
  labels: labels.default({}),
  /**
   * Takes the namespace out of its area before it leaves the stack: no area label, no allows, and a
   * default-deny that stays in the cluster until the namespace is deleted.
   */
  retired: z.boolean().default(false),
});
export const namespacesSchema = z.record(z.string(), namespaceSchema).superRefine((value, ctx) => {
  // With no area namespace the stack would manage tools and controllers that nothing is segmented from.
  if (Object.keys(value).length === 0) {
    custom(
      ctx,
      value,
      "is empty, so the stack would segment nothing",
      "list the namespaces to manage, each with its area, e.g. `payments: {area: backoffice}`",
    );
  }
});

/** How far a data store is opened: to the whole cluster, or to its clients only. */
export const STORE_PHASES = ["open", "clients"] as const;

export const storeClientSchema = z.strictObject({
  namespace: namespaceName,
  /** Only the pods with these labels use the store; all of the namespace's pods when empty. */
  podLabels: labels.default({}),
});

/**
 * Security groups for pods, which the AWS side of a store's clients rests on
 * (https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html).
 */
export const storeAccessSchema = z.strictObject({
  /**
   * The EKS cluster security group. A pod given its own groups loses the node's, so every
   * SecurityGroupPolicy lists this one too: kubelet probes, DNS and pod-to-pod traffic keep working.
   */
  clusterSecurityGroupId: awsId("sg", "sg-0a1b2c3d4e5f60718").optional(),
  /** The cluster's 12-digit account id, needed when a store in another account references a client's group. */
  clusterAccountId: matching(
    /^\d{12}$/,
    "is not an AWS account id",
    "use the 12 digits AWS shows",
  ).optional(),
  /** Instance types of the nodes that run clients' pods; checked against what trunking supports. */
  nodeInstanceTypes: z.array(z.string().min(1)).default([]),
  /** Security groups allowed per network interface in the cluster's account (AWS default 5, at most 16). */
  securityGroupsPerInterface: z.number().int().min(1).max(16).default(5),
  /** Outbound rules allowed per security group in the cluster's account (AWS default 60). */
  rulesQuota: z.number().int().min(1).default(60),
});

export const DATA_STORE_KINDS = [
  "rds",
  "elasticache",
  "elasticsearch",
  "opensearch",
  "msk",
  "documentdb",
] as const;

export const dataStoreSchema = z.strictObject({
  name,
  kind: z.enum(DATA_STORE_KINDS),
  vpc: z.string(),
  securityGroupId: awsId("sg", "sg-0a1b2c3d4e5f60718"),
  port: port.optional(),
  ports: z.array(port).min(1).optional(),
  /** Open the store to the cluster's CIDRs even when it is Kafka (MSK is already open to all VPCs). */
  openFromCluster: z.boolean().optional(),
  // Least-privilege access (model/storeAccess.ts): who may reach the store, and whether only they may.
  /** The workloads that use the store: a namespace, and optionally the labels of its pods that do. */
  clients: z.array(storeClientSchema).default([]),
  /**
   * `open`: the store's group admits the cluster's pod ranges, as in the design's first phase. `clients`:
   * only its clients, by security group for pods and by NetworkPolicy egress. Moved one store at a time.
   */
  phase: z.enum(STORE_PHASES).default("open"),
  /** The subnets the store's addresses come from; NetworkPolicies name them, so `clients` needs them. */
  subnets: z.array(cidr).default([]),
  /** Inbound rules the store's group already has that this stack does not manage (counted against the quota). */
  existingInboundRules: z.number().int().min(0).default(0),
  /** Inbound rules allowed per security group in the store's account (AWS default 60). */
  rulesQuota: z.number().int().min(1).default(60),
});
export const dataStoresSchema = z.array(dataStoreSchema);

export const legacyLoadBalancerSchema = z.strictObject({
  name,
  kind: z.enum(["ecs", "bos"]).default("ecs"),
  /** Key in `segmentation:vpcs` of the VPC the load balancer's security group belongs to. */
  vpc: z.string(),
  securityGroupId: awsId("sg", "sg-0a1b2c3d4e5f60718"),
  /** Ports the load balancer serves; an empty list is refused with the load balancer's name (validate.ts). */
  ports: z.array(port),
  /** Inbound rules the group already has that this stack does not manage (counted against the quota). */
  existingInboundRules: z.number().int().min(0).default(0),
  /** Inbound rules allowed per security group in that account (AWS default 60). */
  rulesQuota: z.number().int().min(1).default(60),
});
export const legacyLoadBalancersSchema = z.array(legacyLoadBalancerSchema);

const toolBase = {
  namespace: namespaceName,
  /** Labels of the tool's pods, when only some pods of its namespace should be trusted. */
  podLabels: labels.default({}),
  /** Ingress controllers (areas) that expose the tool outside the cluster. */
  exposedVia: z.array(area).default([]),
  /** Ports the exposing controllers reach the tool on. */
  ports: z.array(port).min(1).optional(),
};
export const toolsSchema = z.strictObject({
  monitoring: z.strictObject({ ...toolBase, namespace: namespaceName.default("monitoring") }).prefault({}),
  vault: z
    .strictObject({
      ...toolBase,
      namespace: namespaceName.default("vault"),
      ports: z.array(port).min(1).default([8200]),
    })
    .prefault({}),
});

export const egressSchema = z.strictObject({
  /**
   * How "the public internet" is rendered: `complement` lists the public CIDRs, `except` renders one
   * 0.0.0.0/0 with the private ranges excepted. Without a value: `except` in `policyMode: clusterTier`,
   * where the Admin tier denies every private range a namespace may not reach, `complement` in
   * `networkPolicy` mode, where the namespace policy is the only guard (the VPC CNI has mis-enforced
   * `except`).
   */
  publicInternet: z.enum(["complement", "except"]).optional(),
  /** Whether pods may reach the instance metadata service (169.254.169.254). */
  instanceMetadata: z.enum(["deny", "allow"]).default("deny"),
  /** Address of NodeLocal DNSCache, when deployed (it runs on the host network, so selectors miss it). */
  nodeLocalDns: address.optional(),
  /**
   * Private ranges outside an area's VPCs that the area's contracts may open, by area (a partner's VPN, say).
   * Nothing opens them by default; the cluster tier hands them to the namespace policies, and admission
   * lets team policies name them.
   */
  contractRanges: z.partialRecord(area, z.array(cidr)).default({}),
  /** Where cluster DNS runs. */
  dns: z
    .strictObject({ namespace: namespaceName, podLabels: labels })
    .default({ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }),
});

/**
 * Where the platform's boundaries live: `clusterTier` renders them as Admin-tier ClusterNetworkPolicies, which
 * no NetworkPolicy can undo (VPC CNI v1.21.1 and later); `networkPolicy` keeps them in namespace
 * NetworkPolicies, for clusters whose CNI does not enforce the tiers, and refuses crossing team policies at
 * admission.
 */
export const POLICY_MODES = ["networkPolicy", "clusterTier"] as const;

export const labelIntegritySchema = z.strictObject({
  /** What the admission policy does with a refused change: log it, warn the user, or deny it. */
  enforcement: z.enum(["audit", "warn", "deny"]).default("audit"),
  /** Who may change area labels and default policies. */
  platformPrincipals: z
    .strictObject({
      groups: z.array(z.string().min(1)).default([]),
      users: z.array(z.string().min(1)).default([]),
      serviceAccounts: z
        .array(
          matching(/^[a-z0-9-]+:[a-z0-9-]+$/, "is not a service account", 'write it as "namespace:name"'),
        )
        .default([]),
    })
    .prefault({}),
  /** Who a refused user should ask, shown in the rejection message. */
  contact: z.string().min(1).default("the platform team"),
});

/** Schemas by config key (without the `segmentation:` namespace); `required` keys must be present. */
export const CONFIG_KEYS = {
  phase: { schema: phase.default("migration"), required: false },
  policyMode: { schema: z.enum(POLICY_MODES).default("networkPolicy"), required: false },
  cluster: { schema: clusterSchema, required: true },
  vpcs: { schema: z.record(z.string(), vpcSchema), required: true },
  accounts: { schema: z.record(z.string(), accountSchema).default({}), required: false },
  sources: { schema: sourcesSchema.default({}), required: false },
  widestSource: { schema: widestSourceSchema, required: false },
  ingress: { schema: ingressSchema.default({}), required: false },
  namespaces: { schema: namespacesSchema, required: true },
  dataStores: { schema: dataStoresSchema.default([]), required: false },
  legacyLoadBalancers: { schema: legacyLoadBalancersSchema.default([]), required: false },
  tools: { schema: toolsSchema.prefault({}), required: false },
  egress: { schema: egressSchema.prefault({}), required: false },
  labelIntegrity: { schema: labelIntegritySchema.prefault({}), required: false },
  mesh: { schema: meshSchema.prefault({}), required: false },
  storeAccess: { schema: storeAccessSchema.prefault({}), required: false },
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type RawSection<K extends ConfigKey> = z.output<(typeof CONFIG_KEYS)[K]["schema"]>;
