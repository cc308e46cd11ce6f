/**
 * Classes of interchangeable namespaces: the analysis grows with the kinds of namespaces an estate has,
 * not with the square of how many there are.
 *
 * Two namespaces are interchangeable when swapping them (with their pods, by pod name) maps the estate onto
 * itself: same labels, same policies, same pods. Every verdict is then invariant under the swap, so:
 *
 *   - a cell between namespaces of two different classes has the verdict of the cell between the classes'
 *     first members;
 *   - a cell between two different namespaces of one class has the verdict of the cell from its first
 *     member to its second;
 *   - a cell inside one namespace has the verdict of the same cell inside the first member.
 *
 * What "same" means is exactly what the evaluator can see:
 *
 *   - label values that no policy spec mentions (every namespace's `kubernetes.io/metadata.name`, usually)
 *     compare equal, because selectors only ever compare values with the strings written in a spec, while a
 *     namespace a spec names, in any field, keeps its name and so a class of its own;
 *   - policies compare by spec only (NetworkPolicies refer to their own namespace only implicitly, through
 *     a `podSelector` without a `namespaceSelector`), and cluster-tier policies, being cluster-wide, are
 *     the same for everyone;
 *   - pods compare by name, labels (abstracted as above), ports and which of the CIDRs written anywhere in a
 *     spec contain their address; a pod at an address the caller uses as an endpoint keeps its namespace
 *     apart, since that address stands for that very pod.
 *
 * A verdict between two pods depends only on their namespaces' policies, the cluster-tier policies and the
 * labels and addresses of the two ends; other namespaces play no part. So the representatives (the first
 * member of every class and the second of every class with more) form an estate of their own in which
 * every cell of the full estate can be decided. `test/analysis/classes.test.ts` checks all of this against
 * the direct computation on random estates.
 */
import { addressToNumber, checkCidr, cidrToRange, inRange } from "../evaluator/addresses";
import type { Estate, NamespaceInfo, PodInfo } from "../evaluator/types";

/** The label the API server sets on every namespace to its name. */
const NAME_LABEL = "kubernetes.io/metadata.name";

/** Stands for every label value no spec mentions: no selector can tell two of them apart. */
const UNMENTIONED = "\u0000";

/** What could be an ipBlock's or a network's CIDR; label keys such as `kubernetes.io/name` are not. */
const CIDR_LIKE = /^\s*[0-9A-Fa-f:.]+\/\d+\s*$/;

export interface NamespaceClass {
  /** Index in `EstateClasses.classes`. */
  index: number;
  /** Member namespaces, in estate order; the first (and, with two or more, the second) represent the class. */
  members: string[];
}

export interface EstateClasses {
  classes: NamespaceClass[];
  /** The class index of every namespace of the estate, by name. */
  classOf: ReadonlyMap<string, number>;
  /**
   * The estate of the representatives: their namespaces, pods and NetworkPolicies as in the full estate,
   * and every cluster-tier policy.
   */
  representatives: Estate;
}

export interface ClassOptions {
  /**
   * What else must tell namespaces apart, beyond what the evaluator sees: a design check that expects
   * different things of two namespaces with the same policies must not merge them.
   */
  distinguish?: (namespace: string) => string;
  /** Addresses used as endpoints: a pod at one of them stays in a class of its own. */
  addresses?: readonly string[];
}

/** Groups an estate's namespaces into classes of interchangeable ones. */
export function namespaceClasses(estate: Estate, options: ClassOptions = {}): EstateClasses {
  const specs = specsByNamespace(estate);
  // Each spec's text, written once: the vocabulary and the class keys both read it.
  const texts = new Map<unknown, string>();
  const textOf = (spec: unknown) => {
    let text = texts.get(spec);
    if (text === undefined) {
      text = JSON.stringify(spec);
      texts.set(spec, text);
    }
    return text;
  };
  const { mentioned, cidrs } = specVocabulary(specs.all, textOf);
  const { abstract, podKey } = podSignatures(mentioned, cidrs, options.addresses ?? []);
  const podsOf = new Map<string, PodInfo[]>();
  for (const pod of estate.pods) podsOf.set(pod.namespace, [...(podsOf.get(pod.namespace) ?? []), pod]);

  const classes: NamespaceClass[] = [];
  const byKey = new Map<string, NamespaceClass>();
  const classOf = new Map<string, number>();
  for (const namespace of estate.namespaces) {
    if (classOf.has(namespace.name)) continue;
    const labels = { ...(namespace.labels ?? {}) };
    labels[NAME_LABEL] ??= namespace.name;
    const key = JSON.stringify([
      options.distinguish?.(namespace.name) ?? "",
      abstract(labels),
      (podsOf.get(namespace.name) ?? []).map(podKey).sort(),
      // Specs as written: the renderer writes keys in one order, so equal specs read equal (and a spec
      // written in another key order only makes a class of its own, never a wrong verdict).
      (specs.byNamespace.get(namespace.name) ?? []).map(textOf).sort(),
    ]);
    let found = byKey.get(key);
    if (!found) {
      found = { index: classes.length, members: [] };
      classes.push(found);
      byKey.set(key, found);
    }
    found.members.push(namespace.name);
    classOf.set(namespace.name, found.index);
  }
  return { classes, classOf, representatives: representativesOf(estate, classes) };
}

/** Every string the specs mention (a label value they name tells pods apart), and the CIDRs among them. */
function specVocabulary(
  specs: readonly unknown[],
  textOf: (spec: unknown) => string,
): { mentioned: Set<string>; cidrs: Set<string> } {
  const mentioned = new Set<string>();
  const cidrs = new Set<string>();
  // Estates repeat the same few specs in every namespace: read each distinct one once.
  const read = new Set<string>();
  for (const spec of specs) {
    const text = textOf(spec);
    if (read.has(text)) continue;
    read.add(text);
    visitStrings(spec, (value) => {
      mentioned.add(value);
      if (CIDR_LIKE.test(value)) cidrs.add(value.trim());
    });
  }
  return { mentioned, cidrs };
}

/**
 * What the evaluator can tell of labels and pods: label values no spec mentions read alike, and a pod's
 * address counts only as the blocks that contain it (or as itself, where an endpoint names it).
 */
function podSignatures(
  mentioned: ReadonlySet<string>,
  cidrs: ReadonlySet<string>,
  endpointAddresses: readonly string[],
): {
  abstract: (labels: Record<string, string>) => string[][];
  podKey: (pod: PodInfo) => string;
} {
  const blocks: { range?: ReturnType<typeof cidrToRange> }[] = [...cidrs].sort().map((text) => {
    const checked = checkCidr(text);
    return checked.ok ? { range: cidrToRange(checked.cidr) } : {};
  });
  // A CIDR the evaluator would read some other way than `checkCidr` does: keep every pod apart by address.
  const exactAddresses = blocks.some((block) => block.range === undefined);
  const pinned = new Set<string>();
  for (const address of endpointAddresses) pinned.add(address.trim().split("/")[0]!);
  const abstract = (labels: Record<string, string>) =>
    Object.keys(labels)
      .sort()
      .map((key) => [key, mentioned.has(labels[key]!) ? labels[key]! : UNMENTIONED]);
  const podKey = (pod: PodInfo) => {
    let address: bigint | undefined;
    try {
      address = addressToNumber(pod.ip.trim());
    } catch {
      address = undefined;
    }
    const inBlocks = blocks.map((block) =>
      block.range && address !== undefined && inRange(address, block.range) ? 1 : 0,
    );
    const own = exactAddresses || address === undefined || pinned.has(pod.ip.trim()) ? pod.ip : "";
    return JSON.stringify([pod.name, abstract(pod.labels ?? {}), canonical(pod.ports ?? []), inBlocks, own]);
  };
  return { abstract, podKey };
}

/** The first two members of each class (two, so traffic between members is decided too), and every tier. */
function representativesOf(estate: Estate, classes: readonly NamespaceClass[]): Estate {
  const kept = new Set(classes.flatMap((c) => c.members.slice(0, 2)));
  return {
    namespaces: estate.namespaces.filter((ns: NamespaceInfo) => kept.has(ns.name)),
    pods: estate.pods.filter((pod) => kept.has(pod.namespace)),
    policies: estate.policies.filter((policy) => {
      const namespaced = policy.kind === undefined || policy.kind === "NetworkPolicy";
      return !namespaced || kept.has(policy.metadata?.namespace ?? "default");
    }),
    ...(estate.clusterPolicies ? { clusterPolicies: estate.clusterPolicies } : {}),
  };
}

/** Every policy spec of the estate, and the NetworkPolicy specs of each namespace. */
function specsByNamespace(estate: Estate): { all: unknown[]; byNamespace: Map<string, unknown[]> } {
  const all: unknown[] = [];
  const byNamespace = new Map<string, unknown[]>();
  for (const policy of estate.policies) {
    all.push(policy.spec ?? {});
    if (policy.kind !== undefined && policy.kind !== "NetworkPolicy") continue;
    const namespace = policy.metadata?.namespace ?? "default";
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), policy.spec ?? {}]);
  }
  for (const policy of estate.clusterPolicies ?? []) all.push(policy.spec);
  return { all, byNamespace };
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) for (const item of value) visitStrings(item, visit);
  else if (value && typeof value === "object") {
    for (const item of Object.values(value)) visitStrings(item, visit);
  }
}

/** Object keys sorted at every level, so specs written in any key order compare equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
