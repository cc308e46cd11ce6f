/**
 * Generated estates for the benchmarks: the dev stack's config (its VPCs, data stores, sources and
 * controllers) with its namespaces replaced by `count` generated ones, spread over the three areas. About
 * one in ten is strict, and one in ten is a workaround namespace (backoffice, moved from
 * internalservices, still admitting the internalservices controller), as in dev.
 *
 * `node bench/estate.ts` is not a thing: `writeEstateStack()` writes the stack file `netseg plan --config`
 * reads, so the benchmark plans the estate with the real command in a process of its own.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { AREAS } from "../model/areas";
import { PROJECT, readStackFile } from "../model/stackFile";

/**
 * The dev cluster's pod ranges hold about 16,000 addresses, fewer than the stand-in pods of 10,000
 * namespaces; a third range of the same VPC holds the rest.
 */
const EXTRA_POD_RANGE = "10.20.128.0/17";

/** Name of the `index`-th generated namespace: sorts in creation order up to 100,000. */
export function estateNamespace(index: number): string {
  return `team-${String(index).padStart(5, "0")}`;
}

/** The namespaces entry of the `index`-th namespace: area by turn, every tenth strict, some workarounds. */
function namespaceEntry(index: number): { area: string; phase?: string; ingressControllers?: string[] } {
  const area = AREAS[index % AREAS.length]!;
  const strict = index % 10 === 9;
  // Residues 1, 4 and 7 of 30 are backoffice turns (≡ 1 mod 3) and never strict (≢ 9 mod 10): one in ten.
  const workaround = [1, 4, 7].includes(index % 30);
  return {
    area,
    ...(strict ? { phase: "strict" } : {}),
    ...(workaround ? { ingressControllers: ["internalservices"] } : {}),
  };
}

/**
 * The stack config (`namespace:key` → string, as Pulumi hands it to programs) of a generated estate. In
 * `networkPolicy` mode the estate is dev's as a cluster without the tiers would run it: no VPC CNI add-on in
 * the stack, and the public internet rendered as that mode renders it by default.
 */
export function estateConfig(count: number, mode: EstateMode = "clusterTier"): Record<string, string> {
  const config = { ...readStackFile(join(__dirname, "..", "Pulumi.dev.yaml")).config };
  const { vpcCni, ...cluster } = JSON.parse(config[`${PROJECT}:cluster`]!) as {
    cidrs: string[];
    vpcCni?: unknown;
  };
  config[`${PROJECT}:cluster`] = JSON.stringify({
    ...cluster,
    ...(mode === "clusterTier" && vpcCni !== undefined ? { vpcCni } : {}),
    cidrs: [...cluster.cidrs, EXTRA_POD_RANGE],
  });
  if (mode === "networkPolicy") {
    config[`${PROJECT}:policyMode`] = "networkPolicy";
    const { publicInternet: _default, ...egress } = JSON.parse(config[`${PROJECT}:egress`] ?? "{}");
    config[`${PROJECT}:egress`] = JSON.stringify(egress);
  }
  const own = JSON.parse(config[`${PROJECT}:namespaces`] ?? "{}") as Record<string, DevNamespace>;
  const namespaces = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [estateNamespace(i), namespaceEntry(i)]),
  );
  config[`${PROJECT}:namespaces`] = JSON.stringify(namespaces);
  const stores = config[`${PROJECT}:dataStores`];
  if (stores !== undefined) {
    config[`${PROJECT}:dataStores`] = JSON.stringify(
      withGeneratedClients(JSON.parse(stores) as Store[], own, count),
    );
  }
  return config;
}

interface DevNamespace {
  area: string;
  phase?: string;
  ingressControllers?: string[];
}

interface Store {
  clients?: { namespace: string; [key: string]: unknown }[];
  [key: string]: unknown;
}

/**
 * The dev stack's stores with their clients moved to generated namespaces: each dev namespace stands in
 * for the first generated one of its area, phase and kind (workaround or not) that no other has taken,
 * so the stores keep as many clients, of the same kinds. A client with no such namespace is dropped.
 */
function withGeneratedClients(stores: Store[], own: Record<string, DevNamespace>, count: number): Store[] {
  const taken = new Set<number>();
  const standIns = new Map<string, string | undefined>();
  const standIn = (name: string): string | undefined => {
    if (standIns.has(name)) return standIns.get(name);
    const dev = own[name];
    const wanted = dev && {
      area: dev.area,
      strict: dev.phase === "strict",
      workaround: (dev.ingressControllers ?? []).length > 0,
    };
    let found: string | undefined;
    for (let i = 0; wanted && i < count; i++) {
      const entry = namespaceEntry(i);
      const kind = {
        area: entry.area,
        strict: entry.phase === "strict",
        workaround: "ingressControllers" in entry,
      };
      if (taken.has(i) || JSON.stringify(kind) !== JSON.stringify(wanted)) continue;
      taken.add(i);
      found = estateNamespace(i);
      break;
    }
    standIns.set(name, found);
    return found;
  };
  return stores.map((store) => {
    if (!store.clients) return store;
    const clients = store.clients.flatMap((client) => {
      const namespace = standIn(client.namespace);
      return namespace === undefined ? [] : [{ ...client, namespace }];
    });
    return { ...store, clients };
  });
}

export type EstateMode = "clusterTier" | "networkPolicy";

/** Writes the estate as a stack file `Pulumi.<stack>.yaml` in `dir` and returns its path. */
export function writeEstateStack(dir: string, stack: string, count: number, mode?: EstateMode): string {
  const config: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(estateConfig(count, mode))) {
    // Structured values go back to YAML structures, plain strings (a phase, a region) stay strings.
    config[key] = /^[[{]/.test(text) ? JSON.parse(text) : text;
  }
  const path = join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(path, stringify({ config }, { lineWidth: 0 }));
  return path;
}
