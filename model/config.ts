/**
 * From the raw `segmentation:*` stack config to one typed, normalised `SegmentationConfig`, or every
 * problem at once. Nothing here knows about Pulumi: `config.ts` at the top reads the values and hands them
 * over as plain data, so the same parser serves `pulumi up`, the offline plan and the tests.
 *
 * Normalised means: CIDRs canonical and sorted, lists deduplicated, entries sorted by name, defaults filled,
 * names resolved (a namespace's effective phase, a controller's allowlist as CIDRs). Model functions can
 * then rely on the plan being identical for any ordering of the config.
 */
import type { z } from "zod";
import { AREA_RULES, AREAS, type Area, type Phase } from "./areas";
import { sortCidrs } from "./cidr";
import { ConfigError, type ConfigIssue, configPath } from "./issues";
import { CONFIG_KEYS, type ConfigKey, type DATA_STORE_KINDS, type RawSection } from "./schema";
import { validateSections } from "./validate";

export interface ClusterConfig {
  name: string;
  /** Key of the cluster's VPC in `vpcs`. */
  vpc: string;
  cidrs: string[];
  natGatewayIps: string[];
  controlPlaneCidrs: string[];
  /** Size of the NAT prefix list when set in config (see `natPrefixListMaxEntries` in model/aws.ts). */
  natPrefixListMaxEntries?: number;
  /** Present when the stack manages the VPC CNI add-on (and so switches NetworkPolicy enforcement on). */
  vpcCni?: { kubernetesVersion: string; addonVersion?: string; enforcingMode: "standard" | "strict" };
}

export interface VpcConfig {
  name: string;
  vpcId: string;
  cidrs: string[];
  routeTableIds: string[];
  natGatewayIps: string[];
  /** Key in `accounts`, absent for the cluster's own account. */
  account?: string;
  /** The 12-digit account id, taken from that account's role ARN. */
  accountId?: string;
  region: string;
  /** True for the VPC the cluster runs in. */
  isClusterVpc: boolean;
  /** Whether the cluster's VPC is peered with it (never true for the cluster's own VPC). */
  peered: boolean;
}

export interface AccountConfig {
  name: string;
  roleArn: string;
  accountId: string;
  region: string;
}

export interface IngressControllerConfig {
  area: Area;
  /** Faces the internet behind a WAF (from the area rules), so has no source allowlist. */
  public: boolean;
  /** Names of the configured sources allowed in. */
  sources: string[];
  /** VPCs whose NAT gateway addresses are allowed in. */
  natGatewaysOf: string[];
  /** Every CIDR allowed through the load balancer: the sources' ranges and the NAT addresses as /32. */
  allowedCidrs: string[];
  wafManagedRuleGroups: string[];
  /** ACM certificates of the ALB in front of a public controller, in the order given (the first is the default). */
  certificateArns: string[];
}

export interface NamespaceConfig {
  name: string;
  area: Area;
  /** The phase in effect: the namespace's override or the stack's phase. */
  phase: Phase;
  /** Ingress controllers of other areas this namespace also admits. */
  extraIngressControllers: Area[];
  labels: Record<string, string>;
}

export type DataStoreKind = (typeof DATA_STORE_KINDS)[number];

export interface DataStoreConfig {
  name: string;
  kind: DataStoreKind;
  vpc: string;
  securityGroupId: string;
  ports: number[];
  /** Whether the stack opens the store's group to the cluster's CIDRs (Kafka only on request). */
  openFromCluster: boolean;
}

export interface LegacyLoadBalancerConfig {
  name: string;
  kind: "ecs" | "bos";
  vpc: string;
  securityGroupId: string;
  ports: number[];
  existingInboundRules: number;
  rulesQuota: number;
}

export interface ToolConfig {
  namespace: string;
  podLabels: Record<string, string>;
  exposedVia: Area[];
  ports: number[];
}

export interface EgressConfig {
  publicInternet: "complement" | "except";
  instanceMetadata: "deny" | "allow";
  nodeLocalDns?: string;
  dns: { namespace: string; podLabels: Record<string, string> };
}

export interface LabelIntegrityConfig {
  enforcement: "audit" | "warn" | "deny";
  platformPrincipals: { groups: string[]; users: string[]; serviceAccounts: string[] };
  contact: string;
}

export interface SegmentationConfig {
  region: string;
  phase: Phase;
  cluster: ClusterConfig;
  vpcs: VpcConfig[];
  accounts: AccountConfig[];
  sources: { name: string; cidrs: string[] }[];
  /** One entry per area, in the order of `AREAS`. */
  ingress: IngressControllerConfig[];
  namespaces: NamespaceConfig[];
  dataStores: DataStoreConfig[];
  legacyLoadBalancers: LegacyLoadBalancerConfig[];
  tools: { monitoring: ToolConfig; vault: ToolConfig };
  egress: EgressConfig;
  labelIntegrity: LabelIntegrityConfig;
}

/** The stack config as plain data: `segmentation:*` values by key (namespace stripped), and `aws:region`. */
export interface RawConfig {
  values: Readonly<Record<string, unknown>>;
  region?: string;
}

export type ParsedSections = { [K in ConfigKey]?: RawSection<K> } & { region: string };

/** Parses and validates, returning the config or every problem found. */
export function checkConfig(raw: RawConfig): { config?: SegmentationConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const sections: ParsedSections = { region: raw.region ?? "" };
  if (!raw.region) {
    issues.push({
      path: "aws:region",
      value: undefined,
      problem: "is missing",
      fix: "set it with `pulumi config set aws:region eu-west-1`",
    });
  }
  for (const key of Object.keys(raw.values).sort()) {
    if (!(key in CONFIG_KEYS)) {
      const known = Object.keys(CONFIG_KEYS);
      issues.push({
        path: `segmentation:${key}`,
        value: raw.values[key],
        problem: "is not a known config key",
        fix: suggestion(key, known) ?? `use one of ${known.join(", ")}`,
      });
    }
  }
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const { schema, required } = CONFIG_KEYS[key];
    const value = raw.values[key];
    if (value === undefined && required) {
      issues.push({
        path: `segmentation:${key}`,
        value,
        problem: "is missing",
        fix: "add it to the stack's config file (see the configuration reference in README.md)",
      });
      continue;
    }
    const result = (schema as z.ZodType).safeParse(value, { reportInput: true });
    if (result.success) (sections as Record<string, unknown>)[key] = result.data;
    else
      issues.push(...result.error.issues.flatMap((issue) => fromZodIssue(key, schema as z.ZodType, issue)));
  }
  issues.push(...validateSections(sections));
  if (issues.length > 0) return { issues };
  return { config: normalise(sections as Required<ParsedSections>), issues };
}

/** Parses and validates, throwing a `ConfigError` that lists every problem. */
export function parseConfig(raw: RawConfig): SegmentationConfig {
  const { config, issues } = checkConfig(raw);
  if (!config) throw new ConfigError(issues);
  return config;
}

function normalise(s: Required<ParsedSections>): SegmentationConfig {
  const accounts = Object.entries(s.accounts).map(([name, account]) => ({
    name,
    roleArn: account.roleArn,
    accountId: account.roleArn.split(":")[4] ?? "",
    region: account.region ?? s.region,
  }));
  const vpcs: VpcConfig[] = Object.entries(s.vpcs).map(([name, vpc]) => {
    const account = accounts.find((a) => a.name === vpc.account);
    const isClusterVpc = name === s.cluster.vpc;
    return {
      name,
      vpcId: vpc.vpcId,
      cidrs: sortCidrs(vpc.cidrs),
      routeTableIds: unique(vpc.routeTableIds),
      natGatewayIps: unique(vpc.natGatewayIps),
      ...(account ? { account: account.name, accountId: account.accountId } : {}),
      region: vpc.region ?? account?.region ?? s.region,
      isClusterVpc,
      peered: !isClusterVpc && vpc.peered,
    };
  });
  const sources = Object.entries(s.sources).map(([name, cidrs]) => ({
    name,
    cidrs: sortCidrs(unique(cidrs)),
  }));
  const ingress = AREAS.map((area): IngressControllerConfig => {
    const entry = s.ingress[area] ?? { sources: [], natGatewaysOf: [] };
    const fromSources = entry.sources.flatMap(
      (name) => sources.find((source) => source.name === name)?.cidrs ?? [],
    );
    const fromNat = entry.natGatewaysOf.flatMap(
      (name) => vpcs.find((vpc) => vpc.name === name)?.natGatewayIps ?? [],
    );
    return {
      area,
      public: AREA_RULES[area].publicController,
      sources: unique(entry.sources),
      natGatewaysOf: unique(entry.natGatewaysOf),
      allowedCidrs: sortCidrs(unique([...fromSources, ...fromNat.map((ip) => `${ip}/32`)])),
      wafManagedRuleGroups: unique(entry.wafManagedRuleGroups ?? []),
      certificateArns: [...new Set(entry.certificateArns ?? [])],
    };
  });
  const namespaces = Object.entries(s.namespaces).map(
    ([name, ns]): NamespaceConfig => ({
      name,
      area: ns.area,
      phase: ns.phase ?? s.phase,
      extraIngressControllers: AREAS.filter(
        (area) => area !== ns.area && ns.ingressControllers.includes(area),
      ),
      labels: sortedRecord(ns.labels),
    }),
  );
  const tool = (t: RawSection<"tools">["monitoring"]): ToolConfig => ({
    namespace: t.namespace,
    podLabels: sortedRecord(t.podLabels),
    exposedVia: AREAS.filter((area) => t.exposedVia.includes(area)),
    ports: uniqueNumbers(t.ports ?? []),
  });
  const { vpcCni, ...cluster } = s.cluster;
  return {
    region: s.region,
    phase: s.phase,
    cluster: {
      ...cluster,
      cidrs: sortCidrs(cluster.cidrs),
      natGatewayIps: unique(cluster.natGatewayIps),
      controlPlaneCidrs: sortCidrs(cluster.controlPlaneCidrs),
      ...(vpcCni?.manage
        ? {
            vpcCni: {
              kubernetesVersion: vpcCni.kubernetesVersion,
              enforcingMode: vpcCni.enforcingMode,
              ...(vpcCni.addonVersion ? { addonVersion: vpcCni.addonVersion } : {}),
            },
          }
        : {}),
    },
    vpcs: byName(vpcs),
    accounts: byName(accounts),
    sources: byName(sources),
    ingress,
    namespaces: byName(namespaces),
    dataStores: byName(
      s.dataStores.map((store) => ({
        name: store.name,
        kind: store.kind,
        vpc: store.vpc,
        securityGroupId: store.securityGroupId,
        ports: uniqueNumbers([...(store.port === undefined ? [] : [store.port]), ...(store.ports ?? [])]),
        openFromCluster: store.openFromCluster ?? store.kind !== "msk",
      })),
    ),
    legacyLoadBalancers: byName(
      s.legacyLoadBalancers.map((lb) => ({ ...lb, ports: uniqueNumbers(lb.ports) })),
    ),
    tools: { monitoring: tool(s.tools.monitoring), vault: tool(s.tools.vault) },
    egress: {
      publicInternet: s.egress.publicInternet,
      instanceMetadata: s.egress.instanceMetadata,
      ...(s.egress.nodeLocalDns ? { nodeLocalDns: s.egress.nodeLocalDns } : {}),
      dns: { namespace: s.egress.dns.namespace, podLabels: sortedRecord(s.egress.dns.podLabels) },
    },
    labelIntegrity: {
      enforcement: s.labelIntegrity.enforcement,
      platformPrincipals: {
        groups: unique(s.labelIntegrity.platformPrincipals.groups),
        users: unique(s.labelIntegrity.platformPrincipals.users),
        serviceAccounts: unique(s.labelIntegrity.platformPrincipals.serviceAccounts),
      },
      contact: s.labelIntegrity.contact,
    },
  };
}

function byName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function uniqueNumbers(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// --- zod issues to config issues -------------------------------------------------------------------------

type ZodIssue = z.core.$ZodIssue & { input?: unknown };

function fromZodIssue(key: string, root: z.ZodType, issue: ZodIssue): ConfigIssue[] {
  const path = issue.path as PropertyKey[];
  switch (issue.code) {
    case "custom":
      return [
        {
          path: configPath(key, path),
          value: issue.input,
          problem: issue.message,
          fix: (issue.params?.fix as string | undefined) ?? "correct the value",
        },
      ];
    case "unrecognized_keys": {
      const known = knownKeysAt(root, path);
      return issue.keys.map((unknown) => ({
        path: configPath(key, [...path, unknown]),
        value: (issue.input as Record<string, unknown> | undefined)?.[unknown],
        problem: "is not a known field",
        fix:
          suggestion(unknown, known) ??
          (known.length > 0 ? `remove it; known fields are ${known.join(", ")}` : "remove it"),
      }));
    }
    case "invalid_value": {
      const values = issue.values.map(String);
      const what = sameSet(values, AREAS) ? "is not an area" : "is not one of the allowed values";
      return [
        {
          path: configPath(key, path),
          value: issue.input,
          problem: what,
          fix: suggestion(String(issue.input), values) ?? `use one of ${values.join(", ")}`,
        },
      ];
    }
    case "invalid_type":
      if (issue.input === undefined) {
        return [
          {
            path: configPath(key, path),
            value: undefined,
            problem: "is missing",
            fix: `add it (${issue.expected})`,
          },
        ];
      }
      return [
        {
          path: configPath(key, path),
          value: issue.input,
          problem: `is ${Array.isArray(issue.input) ? "a list" : `a ${typeof issue.input}`}, not ${article(issue.expected)}`,
          fix: `write ${article(issue.expected)}`,
        },
      ];
    case "too_small":
      return [
        issue.origin === "array"
          ? {
              path: configPath(key, path),
              value: issue.input,
              problem: "is empty",
              fix: "list at least one entry",
            }
          : {
              path: configPath(key, path),
              value: issue.input,
              problem: `is below the minimum of ${issue.minimum}`,
              fix: `use ${issue.minimum} or more`,
            },
      ];
    default:
      return [
        { path: configPath(key, path), value: issue.input, problem: issue.message, fix: "correct the value" },
      ];
  }
}

function article(expected: string): string {
  const noun = expected === "array" ? "list" : expected === "object" ? "map of fields" : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
}

/** The field names a strict object schema accepts at `path`, for "did you mean" hints. */
function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let schema: unknown = root;
  const unwrap = (s: unknown): unknown => {
    let current = s as { _zod?: { def?: Record<string, unknown> } };
    for (let guard = 0; guard < 10; guard++) {
      const def = current?._zod?.def;
      const inner = def?.innerType ?? def?.in;
      if (!inner) break;
      current = inner as typeof current;
    }
    return current;
  };
  for (const part of path) {
    const def = (unwrap(schema) as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (def.type === "object") schema = (def.shape as Record<string, unknown>)[String(part)];
    else if (def.type === "record") schema = def.valueType;
    else if (def.type === "array") schema = def.element;
    else return [];
  }
  const def = (unwrap(schema) as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

/** "did you mean ..." for a near-miss of a known word (edit distance at most 2, or a case difference). */
export function suggestion(value: string, known: readonly string[]): string | undefined {
  const best = known
    .map((candidate) => ({ candidate, distance: editDistance(value.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= 2 ? `did you mean "${best.candidate}"?` : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
