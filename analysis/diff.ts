/**
 * The segmentation diff of two reachabilities: the connections that open, close or change ports, compared
 * cell by cell (endpoints matched by what they are, see `reachability.ts`).
 *
 * A namespace's two stand-in pods usually change alike; such pairs collapse into one `namespace/*` line,
 * so moving a namespace reads as a handful of lines instead of four per pair of namespaces.
 */
import { AREAS } from "../model/areas";
import {
  comparePorts,
  groupOrder,
  type PlanEndpoint,
  type PlanReachability,
  type PortRef,
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
  const sources = unionKeys(base.sources, head.sources);
  const destinations = unionKeys(base.destinations, head.destinations);
  const reached = (r: PlanReachability, from: string, to: string): PortRef[] => {
    const s = r.sourceIndex.get(from);
    const d = r.destinationIndex.get(to);
    return s === undefined || d === undefined ? [] : r.reached(s, d);
  };
  const changes: ConnectionChange[] = [];
  for (const from of sources) {
    for (const to of destinations) {
      if (from === to) continue;
      const before = reached(base, from, to);
      const after = reached(head, from, to);
      if (portsKey(before) !== portsKey(after)) changes.push({ from, to, before, after });
    }
  }
  return changes;
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

  type Line = { from: string; to: string; fromKeys: string[]; toKeys: string[]; changes: ConnectionChange[] };
  const signature = (c: ConnectionChange) => `${portsKey(c.before)}>${portsKey(c.after)}`;
  let lines: Line[] = changes.map((c) => ({
    from: c.from,
    to: c.to,
    fromKeys: [c.from],
    toKeys: [c.to],
    changes: [c],
  }));

  const merge = (side: "from" | "to") => {
    const other = side === "from" ? "to" : "from";
    const groups = new Map<string, Line[]>();
    for (const line of lines) {
      const namespace = endpoints.get(line[side])?.namespace;
      const unit =
        endpoints.get(line[side])?.role.kind === "area-pod" ? `ns:${namespace}` : `key:${line[side]}`;
      const key = `${unit}|${line[other]}|${signature(line.changes[0]!)}`;
      groups.set(key, [...(groups.get(key) ?? []), line]);
    }
    lines = [...groups.values()].flatMap((group) => {
      const first = group[0]!;
      const namespace = endpoints.get(first[side])?.namespace;
      const pods = namespace === undefined ? undefined : podsOf.get(namespace);
      const covered = new Set(group.map((l) => l[side]));
      if (
        group.length < 2 ||
        !pods ||
        pods.size !== covered.size ||
        ![...pods].every((p) => covered.has(p))
      ) {
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
  };
  merge("to");
  merge("from");

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
    .sort((a, b) => {
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
    });
}

function unionKeys(a: readonly PlanEndpoint[], b: readonly PlanEndpoint[]): string[] {
  return [...new Set([...a.map((e) => e.key), ...b.map((e) => e.key)])];
}

function portsKey(ports: readonly PortRef[]): string {
  return [...ports].sort(comparePorts).map(portText).join(",");
}
