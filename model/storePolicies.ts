/**
 * The Kubernetes half of least-privilege store access (model/storeAccess.ts). Once a store is in clients
 * phase, its subnets leave every namespace's default egress (the area's VPCs, the pod ranges) and each of
 * its clients gets one policy allowing exactly the store's subnets on its ports, for the client's pods.
 *
 * NetworkPolicies see addresses and ports, not stores: two stores sharing a subnet and a port are one
 * destination here, and only their security groups tell them apart (`sharedStoreDestinations`).
 */
import { overlaps, subtract } from "../core/cidr";
import { DEFAULT_POLICY_LABEL } from "../core/labels";
import { AREA_POLICY } from "./areaPolicies";
import type { DataStoreConfig, SegmentationConfig, StoreClient } from "./config";
import { ipBlocks, tcp } from "./peers";
import { type PolicySpec, policyResourceName } from "./policy";
import { clientKey, clientText, closedStores } from "./storeAccess";

/** `netseg-allow-egress-store-<store>`, with the client's labels appended when it selects some pods only. */
export function storePolicyName(store: DataStoreConfig, client: StoreClient): string {
  const labels = clientKey(client).slice(client.namespace.length);
  return `netseg-allow-egress-store-${store.name}${labels}`;
}

/** The subnets of every store in clients phase, which no default egress covers. */
export function closedStoreSubnets(config: Pick<SegmentationConfig, "dataStores">): string[] {
  return closedStores(config).flatMap((store) => store.subnets);
}

/**
 * `cidrs` without the closed stores' subnets. Unchanged (not even merged) when none overlaps, so a stack
 * with no closed store renders exactly the policies it did before.
 */
export function outsideClosedStores(
  config: Pick<SegmentationConfig, "dataStores">,
  cidrs: readonly string[],
): string[] {
  const closed = closedStoreSubnets(config);
  if (!closed.some((subnet) => overlaps(subnet, cidrs))) return [...cidrs];
  return subtract(cidrs, closed);
}

/**
 * One egress allow per client of each store that names its clients and subnets, in the client's namespace.
 * It is planned while the store is still open, where the area's egress already covers it: moving the store
 * to clients phase then only narrows the area's egress, with the clients' allows already in place. It waits
 * for the area's egress, which isolates the pods, so it never isolates them alone while a namespace's
 * policies roll out.
 */
export function planStorePolicies(config: SegmentationConfig): PolicySpec[] {
  return config.dataStores
    .filter((store) => store.clients.length > 0 && store.subnets.length > 0)
    .flatMap((store) =>
      store.clients.map((client): PolicySpec => {
        const name = storePolicyName(store, client);
        return {
          resourceName: policyResourceName(client.namespace, name),
          namespace: client.namespace,
          name,
          labels: { [DEFAULT_POLICY_LABEL]: "true" },
          description: `${clientText(client)} use data store ${store.name} (${store.kind}): its subnets (${store.subnets.join(", ")}) on ${store.ports.join(", ")}${store.phase === "clients" ? ", which no other pod's egress covers" : ", also in the area's egress while the store is open"}.`,
          spec: {
            podSelector: Object.keys(client.podLabels).length > 0 ? { matchLabels: client.podLabels } : {},
            policyTypes: ["Egress"],
            egress: [{ to: ipBlocks(store.subnets), ports: store.ports.map(tcp) }],
          },
          after: [policyResourceName(client.namespace, AREA_POLICY.egress)],
        };
      }),
    )
    .sort((a, b) => (a.resourceName < b.resourceName ? -1 : 1));
}

/**
 * Pairs of stores a NetworkPolicy cannot tell apart: one in clients phase and another sharing one of its
 * subnets and ports with other clients. The second store's clients pass the Kubernetes layer to the first,
 * and only the first's security group stops them.
 */
export function sharedStoreDestinations(config: SegmentationConfig): { closed: string; other: string }[] {
  const pairs: { closed: string; other: string }[] = [];
  for (const closed of closedStores(config)) {
    for (const other of config.dataStores) {
      if (other.name === closed.name || other.subnets.length === 0) continue;
      const sharesPort = other.ports.some((port) => closed.ports.includes(port));
      if (sharesPort && overlaps(other.subnets, closed.subnets))
        pairs.push({ closed: closed.name, other: other.name });
    }
  }
  return pairs;
}
