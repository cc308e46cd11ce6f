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
import { sortCidrs } from "../core/cidr";
import { AREA_RULES, AREAS, type Area, type Phase } from "./areas";
import { ConfigError, type ConfigIssue, configPath } from "./issues";
import { activeNamespaceNames, type MeshConfig, managedNamespaceNames, normaliseMesh } from "./mesh/config";
import {
  CONFIG_KEYS,
  type ConfigKey,
  type DATA_STORE_KINDS,
  type POLICY_MODES,
  type RawSection,
  type STORE_PHASES,
} from "./schema";
import { validateSections } from "./validate";
import { issuesFromZod, suggestion } from "./zodIssues";

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
  /** Subnets of the controller's load balancer (ALB or NLB): the only VPC addresses the controller admits. */
  loadBalancerSubnets: string[];
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

/** A namespace set `retired`: out of its area, quarantined until it is deleted. */
export interface RetiredNamespaceConfig {
  name: string;
  /** The area it was in, for the record. */
  area: Area;
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
  /** Who uses the store, sorted by namespace then labels (model/storeAccess.ts). */
  clients: StoreClient[];
  /** `open`: the cluster's pod ranges reach it; `clients`: only its clients, in both layers. */
  phase: StorePhase;
  /** Where the store's addresses come from, sorted. */
  subnets: string[];
  existingInboundRules: number;
  rulesQuota: number;
}

export type StorePhase = (typeof STORE_PHASES)[number];

/** Pods that use a data store: a namespace's pods, or those of them with all of `podLabels`. */
export interface StoreClient {
  namespace: string;
  podLabels: Record<string, string>;
}

/** Security groups for pods, for the stores' clients (model/storeAccess.ts). */
export interface StoreAccessConfig {
  clusterSecurityGroupId?: string;
  clusterAccountId?: string;
  nodeInstanceTypes: string[];
  securityGroupsPerInterface: number;
  rulesQuota: number;
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
  /** Private ranges each area's contracts may open beyond its VPCs; every area has an entry. */
  contractRanges: Record<Area, string[]>;
}

export interface LabelIntegrityConfig {
  enforcement: "audit" | "warn" | "deny";
  platformPrincipals: { groups: string[]; users: string[]; serviceAccounts: string[] };
  contact: string;
}

export type PolicyMode = (typeof POLICY_MODES)[number];

export interface SegmentationConfig {
  region: string;
  phase: Phase;
  /** Where the area boundaries live: Admin-tier cluster policies, or namespace NetworkPolicies only. */
  policyMode: PolicyMode;
  cluster: ClusterConfig;
  vpcs: VpcConfig[];
  accounts: AccountConfig[];
  sources: { name: string; cidrs: string[] }[];
  /** One entry per area, in the order of `AREAS`. */
  ingress: IngressControllerConfig[];
  /** The area namespaces in effect; retired ones are in `retiredNamespaces` only. */
  namespaces: NamespaceConfig[];
  retiredNamespaces: RetiredNamespaceConfig[];
  dataStores: DataStoreConfig[];
  legacyLoadBalancers: LegacyLoadBalancerConfig[];
  tools: { monitoring: ToolConfig; vault: ToolConfig };
  egress: EgressConfig;
  labelIntegrity: LabelIntegrityConfig;
  /** The Linkerd authorization layer, namespace by namespace (model/mesh). */
  mesh: MeshConfig;
  storeAccess: StoreAccessConfig;
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
    else {
      const context = {
        schema: schema as z.ZodType,
        path: (parts: readonly PropertyKey[]) => configPath(key, parts),
      };
      issues.push(...result.error.issues.flatMap((issue) => issuesFromZod(issue, context)));
    }
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

/** The parsed sections as the model reads them: sorted, deduplicated, defaults filled in, names resolved. */
function normalise(s: Required<ParsedSections>): SegmentationConfig {
  const accounts = Object.entries(s.accounts).map(([name, account]) => ({
    name,
    roleArn: account.roleArn,
    accountId: account.roleArn.split(":")[4] ?? "",
    region: account.region ?? s.region,
  }));
  const vpcs = normaliseVpcs(s, accounts);
  const sources = Object.entries(s.sources).map(([name, cidrs]) => ({
    name,
    cidrs: sortCidrs(unique(cidrs)),
  }));
  const { namespaces, retiredNamespaces } = normaliseNamespaces(s);
  const tool = (t: RawSection<"tools">["monitoring"]): ToolConfig => ({
    namespace: t.namespace,
    podLabels: sortedRecord(t.podLabels),
    exposedVia: AREAS.filter((area) => t.exposedVia.includes(area)),
    ports: uniqueNumbers(t.ports ?? []),
  });
  return {
    region: s.region,
    phase: s.phase,
    policyMode: s.policyMode,
    cluster: normaliseCluster(s.cluster),
    vpcs: byName(vpcs),
    accounts: byName(accounts),
    sources: byName(sources),
    ingress: normaliseIngress(s, sources, vpcs),
    namespaces: byName(namespaces),
    retiredNamespaces: byName(retiredNamespaces),
    dataStores: byName(s.dataStores.map(normaliseDataStore)),
    legacyLoadBalancers: byName(
      s.legacyLoadBalancers.map((lb) => ({ ...lb, ports: uniqueNumbers(lb.ports) })),
    ),
    tools: { monitoring: tool(s.tools.monitoring), vault: tool(s.tools.vault) },
    egress: {
      publicInternet: s.egress.publicInternet ?? (s.policyMode === "clusterTier" ? "except" : "complement"),
      instanceMetadata: s.egress.instanceMetadata,
      ...(s.egress.nodeLocalDns ? { nodeLocalDns: s.egress.nodeLocalDns } : {}),
      dns: { namespace: s.egress.dns.namespace, podLabels: sortedRecord(s.egress.dns.podLabels) },
      contractRanges: Object.fromEntries(
        AREAS.map((area) => [area, sortCidrs(unique(s.egress.contractRanges[area] ?? []))]),
      ) as Record<Area, string[]>,
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
    mesh: normaliseMesh(s.mesh, managedNamespaceNames(activeNamespaceNames(s.namespaces), s.tools)),
    storeAccess: {
      ...(s.storeAccess.clusterSecurityGroupId
        ? { clusterSecurityGroupId: s.storeAccess.clusterSecurityGroupId }
        : {}),
      ...(s.storeAccess.clusterAccountId ? { clusterAccountId: s.storeAccess.clusterAccountId } : {}),
      nodeInstanceTypes: unique(s.storeAccess.nodeInstanceTypes),
      securityGroupsPerInterface: s.storeAccess.securityGroupsPerInterface,
      rulesQuota: s.storeAccess.rulesQuota,
    },
  };
}

/** Each VPC with its account's id and the Region it is in (its own, its account's, or the stack's). */
function normaliseVpcs(
  s: Required<ParsedSections>,
  accounts: readonly { name: string; accountId: string; region: string }[],
): VpcConfig[] {
  return Object.entries(s.vpcs).map(([name, vpc]) => {
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
}

/** Every area's controller, with its allowlist resolved from the sources and VPCs it names. */
function normaliseIngress(
  s: Required<ParsedSections>,
  sources: readonly { name: string; cidrs: string[] }[],
  vpcs: readonly VpcConfig[],
): IngressControllerConfig[] {
  return AREAS.map((area): IngressControllerConfig => {
    const entry = s.ingress[area] ?? { sources: [], natGatewaysOf: [], loadBalancerSubnets: [] };
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
      loadBalancerSubnets: sortCidrs(unique(entry.loadBalancerSubnets ?? [])),
    };
  });
}

/** The area namespaces, each with its phase, and apart from them the retired ones on their way out. */
function normaliseNamespaces(s: Required<ParsedSections>): {
  namespaces: NamespaceConfig[];
  retiredNamespaces: RetiredNamespaceConfig[];
} {
  const namespaces = Object.entries(s.namespaces)
    .filter(([, ns]) => !ns.retired)
    .map(
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
  const retiredNamespaces = Object.entries(s.namespaces)
    .filter(([, ns]) => ns.retired)
    .map(([name, ns]): RetiredNamespaceConfig => ({ name, area: ns.area, labels: sortedRecord(ns.labels) }));
  return { namespaces, retiredNamespaces };
}

/** The cluster, with the VPC CNI settings only when the stack manages the add-on. */
function normaliseCluster(raw: Required<ParsedSections>["cluster"]): SegmentationConfig["cluster"] {
  const { vpcCni, ...cluster } = raw;
  return {
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
  };
}

/** A data store with its ports in one list; Kafka (msk) stays closed to the cluster unless asked. */
function normaliseDataStore(store: Required<ParsedSections>["dataStores"][number]): DataStoreConfig {
  return {
    name: store.name,
    kind: store.kind,
    vpc: store.vpc,
    securityGroupId: store.securityGroupId,
    ports: uniqueNumbers([...(store.port === undefined ? [] : [store.port]), ...(store.ports ?? [])]),
    openFromCluster: store.openFromCluster ?? store.kind !== "msk",
    clients: storeClients(store.clients),
    phase: store.phase,
    subnets: sortCidrs(unique(store.subnets)),
    existingInboundRules: store.existingInboundRules,
    rulesQuota: store.rulesQuota,
  };
}

/** Sorted and deduplicated, so the same clients in any order plan the same groups. */
function storeClients(
  clients: readonly { namespace: string; podLabels: Record<string, string> }[],
): StoreClient[] {
  const byKey = new Map<string, StoreClient>();
  for (const client of clients) {
    const normalised = { namespace: client.namespace, podLabels: sortedRecord(client.podLabels) };
    byKey.set(JSON.stringify(normalised), normalised);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, client]) => client);
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
