/**
 * Cross-layer reachability to data stores: does a pod (namespace, labels) reach a store, or an address of a
 * peered VPC, on a port? Every layer a packet crosses answers in turn, and the first that refuses decides:
 *
 *   kubernetes       the source pod's egress, through every policy tier, by the evaluator
 *   security-group   the store's inbound rules: a pod range covering the pod's address, or a client group
 *                    the pod carries through a SecurityGroupPolicy that selects it
 *   route-out        a route in each of the cluster VPC's route tables to the destination
 *   peering          the peering connection between the cluster's VPC and the destination's
 *   route-back       a route in each of the peer's route tables back to the pod's range
 *
 * Each answer quotes the rule that let the packet through or says which rule is missing. The facts come
 * from the same plans the stack declares (the Kubernetes objects, `planAwsSide`, the SecurityGroupPolicies),
 * passed in so a test can take one layer's rule away and see the flow close there.
 */
import { addressAt, addressIn, contains, size, subtract } from "../core/cidr";
import { NetworkPolicyEvaluator, ruleText, tierRuleText } from "../evaluator";
import { type AwsSidePlan, planAwsSide } from "../model/aws";
import type { DataStoreConfig, SegmentationConfig, StorePhase } from "../model/config";
import { DESCRIPTION_ANNOTATION } from "../model/policy";
import { labelsMatch, planSecurityGroupPolicies, type SecurityGroupPolicySpec } from "../model/storeAccess";
import { type PlannedObjects, probeEstate } from "./estate";

export type StoreLayer = "kubernetes" | "security-group" | "route-out" | "peering" | "route-back";

export const STORE_LAYERS: readonly StoreLayer[] = [
  "kubernetes",
  "security-group",
  "route-out",
  "peering",
  "route-back",
];

export interface LayerAnswer {
  layer: StoreLayer;
  allowed: boolean;
  /** The rule that admits, or what is missing, quoted so a reviewer can find it. */
  rule: string;
}

export interface StoreAccessAnswer {
  from: { namespace: string; podLabels: Record<string, string> };
  /** The store, when the destination is one (or an address inside one's subnets). */
  store?: string;
  storePhase?: StorePhase;
  address: string;
  port: number;
  verdict: "allow" | "deny";
  /** The first layer that refuses; absent when every layer admits. */
  decidedBy?: StoreLayer;
  layers: LayerAnswer[];
}

/** What the AWS side holds, as the stack plans it. */
export interface AwsFacts {
  aws: AwsSidePlan;
  securityGroupPolicies: SecurityGroupPolicySpec[];
}

export function awsFactsOf(config: SegmentationConfig): AwsFacts {
  return { aws: planAwsSide(config), securityGroupPolicies: planSecurityGroupPolicies(config) };
}

export type StoreTarget = { store: string; port?: number } | { address: string; port: number };

/** Everything a question needs, built once and asked many times (the namespace × store table). */
export class StoreAccessModel {
  private readonly evaluator: NetworkPolicyEvaluator;
  private readonly podIps = new Map<string, string>();
  private readonly descriptions = new Map<string, string>();

  constructor(
    readonly config: SegmentationConfig,
    objects: PlannedObjects,
    readonly facts: AwsFacts = awsFactsOf(config),
    sources: readonly { namespace: string; podLabels: Record<string, string> }[] = defaultSources(config),
  ) {
    const extra = sources.map((source, index) => ({
      namespace: source.namespace,
      name: `store-probe-${index}`,
      labels: { ...source.podLabels },
    }));
    const { estate } = probeEstate(config, objects, extra);
    this.evaluator = new NetworkPolicyEvaluator(estate);
    for (const pod of estate.pods.slice(estate.pods.length - extra.length)) {
      this.podIps.set(sourceKey(pod.namespace, pod.labels ?? {}), pod.ip);
    }
    for (const policy of objects.policies) {
      const name = `${policy.metadata?.namespace}/${policy.metadata?.name}`;
      const description = policy.metadata?.annotations?.[DESCRIPTION_ANNOTATION];
      if (description) this.descriptions.set(name, description);
    }
  }

  /** The store's stand-in address: inside its subnets, else inside its VPC away from the cluster's ranges. */
  storeAddress(store: DataStoreConfig): string {
    const vpc = this.config.vpcs.find((v) => v.name === store.vpc);
    const free =
      store.subnets.length > 0
        ? store.subnets
        : subtract(vpc?.cidrs ?? [], [
            ...this.config.cluster.cidrs,
            ...this.config.cluster.controlPlaneCidrs,
          ]);
    const subnet = free[0];
    if (!subnet) throw new Error(`data store ${store.name} has no address outside the cluster's ranges`);
    // AWS keeps the first four addresses of every subnet.
    return addressAt(subnet, Math.min(4, size(subnet) - 1));
  }

  ask(namespace: string, podLabels: Record<string, string>, target: StoreTarget): StoreAccessAnswer {
    const ip = this.podIps.get(sourceKey(namespace, podLabels));
    if (!ip)
      throw new Error(
        `no stand-in pod for ${namespace} ${JSON.stringify(podLabels)}; list it in the model's sources`,
      );
    const store =
      "store" in target
        ? this.config.dataStores.find((s) => s.name === target.store)
        : this.config.dataStores.find((s) => s.subnets.some((subnet) => addressIn(target.address, subnet)));
    if ("store" in target && !store) throw new Error(`no data store ${target.store}`);
    const address = "address" in target ? target.address : this.storeAddress(store!);
    const port = target.port ?? store?.ports[0] ?? 0;
    const vpc = this.config.vpcs.find((v) =>
      store ? v.name === store.vpc : contains(v.cidrs, `${address}/32`),
    );
    const layers: LayerAnswer[] = [
      this.kubernetes(namespace, ip, address, port),
      this.securityGroup(namespace, podLabels, ip, store, port),
      ...this.routing(ip, address, vpc?.name),
    ];
    const refused = layers.find((layer) => !layer.allowed);
    return {
      from: { namespace, podLabels },
      ...(store ? { store: store.name, storePhase: store.phase } : {}),
      address,
      port,
      verdict: refused ? "deny" : "allow",
      ...(refused ? { decidedBy: refused.layer } : {}),
      layers,
    };
  }

  private kubernetes(namespace: string, ip: string, address: string, port: number): LayerAnswer {
    const pod = this.evaluator.podByIp(ip);
    const result = this.evaluator.probe({
      from: { namespace, pod: pod?.name ?? "" },
      to: { ip: address },
      port,
    });
    const side = result.egress;
    if (side.tierRule && (side.decidedBy === "Admin" || side.decidedBy === "Baseline")) {
      return { layer: "kubernetes", allowed: side.allowed, rule: tierRuleText(side.tierRule) };
    }
    if (!side.isolated)
      return { layer: "kubernetes", allowed: true, rule: `no policy isolates egress of ${namespace} pods` };
    const ref = side.allowedBy[0];
    if (side.allowed && ref) {
      const description = this.descriptions.get(ref.policy);
      return {
        layer: "kubernetes",
        allowed: true,
        rule: `${ruleText(ref)}${description ? `: ${description}` : ""}`,
      };
    }
    return {
      layer: "kubernetes",
      allowed: false,
      rule: `no egress rule of ${side.isolatedBy.join(", ")} admits ${address} on ${port}`,
    };
  }

  private securityGroup(
    namespace: string,
    podLabels: Record<string, string>,
    ip: string,
    store: DataStoreConfig | undefined,
    port: number,
  ): LayerAnswer {
    if (!store)
      return {
        layer: "security-group",
        allowed: true,
        rule: "not a data store of the stack: its own groups are not modelled",
      };
    const access = this.facts.aws.dataStores.find((d) => d.store === store.name);
    if (!access) {
      return {
        layer: "security-group",
        allowed: true,
        rule: `${store.name}'s group is not managed by the stack (openFromCluster is off)`,
      };
    }
    const onPort = (rule: { fromPort: number; toPort: number }) =>
      rule.fromPort <= port && port <= rule.toPort;
    const range = access.rules.find((rule) => onPort(rule) && addressIn(ip, rule.cidrIpv4));
    if (range)
      return {
        layer: "security-group",
        allowed: true,
        rule: `${rule(store, range.resourceName)}: ${range.description}`,
      };
    const carried = new Set(
      this.facts.securityGroupPolicies
        .filter((sgp) => sgp.namespace === namespace && labelsMatch(sgp.podSelector.matchLabels, podLabels))
        .map((sgp) => sgp.clientGroup),
    );
    const client = access.clientRules.find((r) => onPort(r) && carried.has(r.clientGroup));
    if (client)
      return {
        layer: "security-group",
        allowed: true,
        rule: `${rule(store, client.resourceName)}: ${client.description}`,
      };
    return {
      layer: "security-group",
      allowed: false,
      rule: `no inbound rule of ${store.securityGroupId} (${store.name}) admits ${ip} on ${port}${
        carried.size > 0
          ? ` or the client groups it carries (${[...carried].join(", ")})`
          : ", and the pod carries no client group"
      }`,
    };
  }

  private routing(ip: string, address: string, vpcName: string | undefined): LayerAnswer[] {
    const clusterVpc = this.config.vpcs.find((v) => v.isClusterVpc);
    if (!vpcName) {
      return [
        {
          layer: "route-out",
          allowed: false,
          rule: `${address} is in no VPC of the stack, so nothing routes it`,
        },
      ];
    }
    if (vpcName === clusterVpc?.name) {
      return [{ layer: "route-out", allowed: true, rule: `local route of the cluster's VPC ${vpcName}` }];
    }
    const peering = this.facts.aws.peerings.find((p) => p.vpc === vpcName);
    if (!peering)
      return [
        { layer: "peering", allowed: false, rule: `no peering between ${clusterVpc?.name} and ${vpcName}` },
      ];
    const tables = (
      routes: { routeTableId: string; destinationCidrBlock: string }[],
      target: string,
      ids: string[],
    ) => {
      const missing = ids.filter(
        (id) => !routes.some((r) => r.routeTableId === id && addressIn(target, r.destinationCidrBlock)),
      );
      return missing;
    };
    const outMissing = tables(peering.requesterRoutes, address, clusterVpc?.routeTableIds ?? []);
    const peerVpc = this.config.vpcs.find((v) => v.name === vpcName);
    const backMissing = tables(peering.accepterRoutes, ip, peerVpc?.routeTableIds ?? []);
    const noTables = (peerVpc?.routeTableIds.length ?? 0) === 0;
    return [
      outMissing.length === 0
        ? {
            layer: "route-out",
            allowed: true,
            rule: `${peering.resourceName}: routes to ${address} in ${clusterVpc?.routeTableIds.join(", ")}`,
          }
        : {
            layer: "route-out",
            allowed: false,
            rule: `no route to ${address} over ${peering.resourceName} in ${outMissing.join(", ")}`,
          },
      { layer: "peering", allowed: true, rule: `${peering.resourceName}: ${peering.connection.tags.Name}` },
      backMissing.length === 0 && !noTables
        ? {
            layer: "route-back",
            allowed: true,
            rule: `${peering.accepterResourceName}: routes back to ${ip} in ${peerVpc?.routeTableIds.join(", ")}`,
          }
        : {
            layer: "route-back",
            allowed: false,
            rule: noTables
              ? `VPC ${vpcName} lists no route table, so nothing routes replies back to ${ip}`
              : `no route back to ${ip} in ${backMissing.join(", ")}`,
          },
    ];
  }
}

/** The namespace × store table: every area namespace's pods (no labels) and every store's clients. */
export function defaultSources(
  config: SegmentationConfig,
): { namespace: string; podLabels: Record<string, string> }[] {
  const sources = new Map<string, { namespace: string; podLabels: Record<string, string> }>();
  for (const ns of config.namespaces)
    sources.set(sourceKey(ns.name, {}), { namespace: ns.name, podLabels: {} });
  for (const store of config.dataStores) {
    for (const client of store.clients) sources.set(sourceKey(client.namespace, client.podLabels), client);
  }
  return [...sources.values()];
}

function sourceKey(namespace: string, labels: Record<string, string>): string {
  return `${namespace} ${JSON.stringify(Object.entries(labels).sort())}`;
}

function rule(store: DataStoreConfig, resourceName: string): string {
  return `store-${store.name}-${resourceName} on ${store.securityGroupId}`;
}

/** One answer per area namespace and store: the plan report's table and the PR diff read it. */
export function storeAccessTable(model: StoreAccessModel): StoreAccessAnswer[] {
  return model.config.namespaces.flatMap((ns) =>
    model.config.dataStores.map((store) => model.ask(ns.name, {}, { store: store.name })),
  );
}

/** One line: `payments → ebo-db:3306 deny (security-group: no inbound rule ...)`. */
export function answerText(answer: StoreAccessAnswer): string {
  const to = answer.store
    ? `${answer.store} (${answer.address}:${answer.port})`
    : `${answer.address}:${answer.port}`;
  const labels = Object.entries(answer.from.podLabels).map(([k, v]) => `${k}=${v}`);
  const from =
    labels.length > 0 ? `${answer.from.namespace} pods with ${labels.join(",")}` : answer.from.namespace;
  const decided = answer.layers.find((layer) => layer.layer === answer.decidedBy);
  return `${from} → ${to}: ${answer.verdict}${decided ? `, decided by ${decided.layer}: ${decided.rule}` : " through every layer"}`;
}
