/**
 * The segmentation diff of two reachabilities: the connections that open, close or change ports, compared
 * cell by cell (endpoints matched by what they are, see `reachability.ts`).
 *
 * A namespace's two stand-in pods usually change alike; such pairs collapse into one `namespace/*` line,
 * so moving a namespace reads as a handful of lines instead of four per pair of namespaces.
 */
import { AREAS } from "../model/areas";
import {
  cellClasses,
  comparePorts,
  groupOrder,
  type Placement,
  type PlanEndpoint,
  type PlanReachability,
  type PortRef,
  pairsOf,
  portText,
} from "./reachability";

export type ChangeKind = "opened" | "closed" | "changed";

/** One (source, destination) whose reachable ports differ between the plans. */
export interface ConnectionChange {
  from: string;
  to: string;
  before: PortRef[];
  after: PortRef[];
}

/** A line of the report: one change, or several alike collapsed into `namespace/*` ends. */
export interface DiffLine {
  kind: ChangeKind;
  /** `internalservices → backoffice`: the groups of the two ends, as the head plan has them. */
  groups: string;
  from: string;
  to: string;
  before: PortRef[];
  after: PortRef[];
  /** The changes the line stands for. */
  changes: ConnectionChange[];
}

/** True when some connection opens, or reaches a port it did not reach before. */
export function opensAnything(diff: { changes: readonly ConnectionChange[] }): boolean {
  return diff.changes.some((c) => c.after.some((p) => !c.before.some((b) => portText(b) === portText(p))));
}

export function kindOf(change: Pick<ConnectionChange, "before" | "after">): ChangeKind {
  if (change.before.length === 0) return "opened";
  if (change.after.length === 0) return "closed";
  return "changed";
}

export function diffConnections(base: PlanReachability, head: PlanReachability): ConnectionChange[] {
  const sources = unionEnds(base.sources, head.sources);
  const destinations = unionEnds(base.destinations, head.destinations);
  const reached = (r: PlanReachability, from: string, to: string): PortRef[] => {
    const s = r.sourceIndex.get(from);
    const d = r.destinationIndex.get(to);
    return s === undefined || d === undefined ? [] : r.reached(s, d);
  };
  // Ends that sit in the same slots of both plans change alike: decide one cell per class of cells of the
  // two plans together, and list the cells only of the classes that change.
  const from = jointPlacement(sources, base.sourceIndex, base.from, head.sourceIndex, head.from);
  const to = jointPlacement(destinations, base.destinationIndex, base.to, head.destinationIndex, head.to);
  const all = (ends: readonly unknown[]) => ends.map((_, i) => i);
  const changed: [number, number, PortRef[], PortRef[]][] = [];
  for (const cell of cellClasses(from, all(sources), to, all(destinations))) {
    const example = [sources[cell.source]!.key, destinations[cell.destination]!.key] as const;
    const before = reached(base, ...example);
    const after = reached(head, ...example);
    if (portsKey(before) === portsKey(after)) continue;
    for (const [s, d] of pairsOf(cell, from, all(sources), to, all(destinations))) {
      changed.push([
        s,
        d,
        reached(base, sources[s]!.key, destinations[d]!.key),
        reached(head, sources[s]!.key, destinations[d]!.key),
      ]);
    }
  }
  return changed
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([s, d, before, after]) => ({ from: sources[s]!.key, to: destinations[d]!.key, before, after }));
}

/** One end of either plan: its key, and its namespace when it is a pod. */
interface End {
  key: string;
  namespace?: string;
}

function unionEnds(a: readonly PlanEndpoint[], b: readonly PlanEndpoint[]): End[] {
  const ends = new Map<string, End>();
  for (const e of [...a, ...b]) {
    if (!ends.has(e.key))
      ends.set(e.key, {
        key: e.key,
        ...("namespace" in e.endpoint ? { namespace: e.endpoint.namespace } : {}),
      });
  }
  return [...ends.values()];
}

/** Where an end sits in both plans at once: the pair of its slots (none where a plan lacks it). */
function jointPlacement(
  ends: readonly End[],
  baseIndex: ReadonlyMap<string, number>,
  basePlace: Placement,
  headIndex: ReadonlyMap<string, number>,
  headPlace: Placement,
): Placement {
  const slots = new Map<string, number>();
  const namespaces = new Map<string, number>();
  const slot = ends.map((end) => {
    const b = baseIndex.get(end.key);
    const h = headIndex.get(end.key);
    const key = `${b === undefined ? "-" : basePlace.slot(b)} ${h === undefined ? "-" : headPlace.slot(h)}`;
    if (!slots.has(key)) slots.set(key, slots.size);
    return slots.get(key)!;
  });
  const namespace = ends.map((end) => {
    if (end.namespace === undefined) return -1;
    if (!namespaces.has(end.namespace)) namespaces.set(end.namespace, namespaces.size);
    return namespaces.get(end.namespace)!;
  });
  return { slot: (i) => slot[i]!, namespace: (i) => namespace[i]!, key: (i) => ends[i]!.key };
}

/** Merges changes that differ only in which stand-in pod of a namespace they involve. */
export function collapse(
  changes: readonly ConnectionChange[],
  base: PlanReachability,
  head: PlanReachability,
): DiffLine[] {
  const endpoints = new Map<string, PlanEndpoint>();
  for (const r of [base, head]) {
    for (const e of [...r.sources, ...r.destinations]) endpoints.set(e.key, e);
  }
  // Head first: a namespace that moved areas is grouped under its new area.
  for (const e of [...head.sources, ...head.destinations]) endpoints.set(e.key, e);
  const podsOf = new Map<string, Set<string>>();
  for (const e of endpoints.values()) {
    if (e.role.kind !== "area-pod" || e.namespace === undefined) continue;
    podsOf.set(e.namespace, (podsOf.get(e.namespace) ?? new Set()).add(e.key));
  }
  const single: Line[] = changes.map((c) => ({
    from: c.from,
    to: c.to,
    fromKeys: [c.from],
    toKeys: [c.to],
    changes: [c],
  }));
  const lines = mergePods(mergePods(single, "to", endpoints, podsOf), "from", endpoints, podsOf);
  const groupOf = (key: string) => endpoints.get(key)?.group ?? "";
  const labelOf = (end: string, keys: string[]) =>
    keys.length > 1 ? end : (endpoints.get(end)?.label ?? end);
  return lines
    .map((line): DiffLine => {
      const change = line.changes[0]!;
      return {
        kind: kindOf(change),
        groups: `${groupOf(line.fromKeys[0]!)} → ${groupOf(line.toKeys[0]!)}`,
        from: labelOf(line.from, line.fromKeys),
        to: labelOf(line.to, line.toKeys),
        before: change.before,
        after: change.after,
        changes: line.changes,
      };
    })
    .sort(lineOrder);
}

/** A line of the diff while it is being collapsed: its ends as shown, and the keys they stand for. */
interface Line {
  from: string;
  to: string;
  fromKeys: string[];
  toKeys: string[];
  changes: ConnectionChange[];
}

/**
 * On one side of the lines, replaces the lines of every stand-in pod of a namespace by one line for
 * `namespace/*`, where they share the other end and change the same ports.
 */
function mergePods(
  lines: readonly Line[],
  side: "from" | "to",
  endpoints: ReadonlyMap<string, PlanEndpoint>,
  podsOf: ReadonlyMap<string, ReadonlySet<string>>,
): Line[] {
  const other = side === "from" ? "to" : "from";
  const signature = (c: ConnectionChange) => `${portsKey(c.before)}>${portsKey(c.after)}`;
  const groups = new Map<string, Line[]>();
  for (const line of lines) {
    const namespace = endpoints.get(line[side])?.namespace;
    const unit =
      endpoints.get(line[side])?.role.kind === "area-pod" ? `ns:${namespace}` : `key:${line[side]}`;
    const key = `${unit}|${line[other]}|${signature(line.changes[0]!)}`;
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  return [...groups.values()].flatMap((group) => {
    const first = group[0]!;
    const namespace = endpoints.get(first[side])?.namespace;
    const pods = namespace === undefined ? undefined : podsOf.get(namespace);
    const covered = new Set(group.map((l) => l[side]));
    if (group.length < 2 || !pods || pods.size !== covered.size || ![...pods].every((p) => covered.has(p))) {
      return group;
    }
    const keys = side === "from" ? "fromKeys" : "toKeys";
    return [
      {
        ...first,
        [side]: `${namespace}/*`,
        [keys]: group.flatMap((l) => l[keys]),
        changes: group.flatMap((l) => l.changes),
      },
    ];
  });
}

/** Lines by the groups of their ends (areas in their order, then the rest by name), then by their ends. */
function lineOrder(a: DiffLine, b: DiffLine): number {
  const [af, at] = a.groups.split(" → ") as [string, string];
  const [bf, bt] = b.groups.split(" → ") as [string, string];
  return (
    groupOrder(af, AREAS) - groupOrder(bf, AREAS) ||
    af.localeCompare(bf) ||
    groupOrder(at, AREAS) - groupOrder(bt, AREAS) ||
    at.localeCompare(bt) ||
    a.from.localeCompare(b.from) ||
    a.to.localeCompare(b.to)
  );
}

function portsKey(ports: readonly PortRef[]): string {
  return [...ports].sort(comparePorts).map(portText).join(",");
}
