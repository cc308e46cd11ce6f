/**
 * The segmentation diff of two plans: first the connections that open, close or change ports, compared
 * cell by cell over the two probe estates (endpoints matched by what they are, see `reachability.ts`), then
 * the resources added, changed and removed by URN. Rendered as Markdown for a pull-request comment.
 *
 * A namespace's two stand-in pods usually change alike; such pairs collapse into one `namespace/*` line,
 * so moving a namespace reads as a handful of lines instead of four per pair of namespaces.
 */
import { AREAS } from "../../model/areas";
import type { RecordedResource } from "../offline";
import type { Block } from "./document";
import { renderMarkdown } from "./document";
import { count } from "./plan";
import {
  comparePorts,
  groupOrder,
  type PlanEndpoint,
  type PortRef,
  portText,
  type Reachability,
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

export interface ResourceChange {
  urn: string;
  type: string;
  /** Paths of what changed: `inputs.metadata.labels.networkArea`, `options.protect`. */
  paths: string[];
}

export interface ResourceDiff {
  added: RecordedResource[];
  removed: RecordedResource[];
  changed: ResourceChange[];
  total: number;
}

export interface PlanDiff {
  changes: ConnectionChange[];
  lines: DiffLine[];
  /** Connections evaluated in the head plan, for scale. */
  evaluated: number;
  resources: ResourceDiff;
}

/** True when some connection opens, or reaches a port it did not reach before. */
export function opensAnything(diff: PlanDiff): boolean {
  return diff.changes.some((c) => c.after.some((p) => !c.before.some((b) => portText(b) === portText(p))));
}

export function kindOf(change: Pick<ConnectionChange, "before" | "after">): ChangeKind {
  if (change.before.length === 0) return "opened";
  if (change.after.length === 0) return "closed";
  return "changed";
}

export function diffConnections(base: Reachability, head: Reachability): ConnectionChange[] {
  const sources = unionKeys(base.sources, head.sources);
  const destinations = unionKeys(base.destinations, head.destinations);
  const reached = (r: Reachability, from: string, to: string): PortRef[] => {
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

export function diffPlans(
  base: { reachability: Reachability; resources: readonly RecordedResource[] },
  head: { reachability: Reachability; resources: readonly RecordedResource[] },
): PlanDiff {
  const changes = diffConnections(base.reachability, head.reachability);
  return {
    changes,
    lines: collapse(changes, base.reachability, head.reachability),
    evaluated: head.reachability.connectionCount(),
    resources: diffResources(base.resources, head.resources),
  };
}

/** Merges changes that differ only in which stand-in pod of a namespace they involve. */
export function collapse(
  changes: readonly ConnectionChange[],
  base: Reachability,
  head: Reachability,
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

/** Paths shown per changed resource; the rest are counted. */
const PATHS_SHOWN = 6;

export function diffResources(
  base: readonly RecordedResource[],
  head: readonly RecordedResource[],
): ResourceDiff {
  const before = new Map(base.map((r) => [r.urn, r]));
  const after = new Map(head.map((r) => [r.urn, r]));
  const changed: ResourceChange[] = [];
  for (const [urn, h] of after) {
    const b = before.get(urn);
    if (!b) continue;
    const paths: string[] = [];
    for (const field of ["inputs", "options", "provider", "parent"] as const) {
      changedPaths(b[field], h[field], field, paths);
    }
    if (paths.length > 0) changed.push({ urn, type: h.type, paths });
  }
  return {
    added: head.filter((r) => !before.has(r.urn)),
    removed: base.filter((r) => !after.has(r.urn)),
    changed,
    total: head.length,
  };
}

function changedPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const bothObjects =
    a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects || (Array.isArray(a) && (a as unknown[]).length !== (b as unknown[]).length)) {
    out.push(path);
    return;
  }
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  for (const key of keys) {
    const child = Array.isArray(a)
      ? `${path}[${key}]`
      : /^[A-Za-z_][\w]*$/.test(key)
        ? `${path}.${key}`
        : `${path}["${key}"]`;
    changedPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], child, out);
  }
}

/** Lines shown per kind of change before the rest are counted, to keep a PR comment within its limits. */
const LINES_SHOWN = 150;

const HEADINGS: Record<ChangeKind, string> = {
  opened: "Opened",
  closed: "Closed",
  changed: "Ports changed",
};

export function diffMarkdown(diff: PlanDiff): string {
  const blocks: Block[] = [];
  const lines = (kind: ChangeKind) => diff.lines.filter((l) => l.kind === kind);
  const cells = (kind: ChangeKind) => lines(kind).reduce((n, l) => n + l.changes.length, 0);
  blocks.push({ kind: "heading", level: 4, text: "Connections" });
  if (diff.changes.length === 0) {
    blocks.push({
      kind: "paragraph",
      text: `No connection opens, closes or changes ports (${diff.evaluated.toLocaleString("en")} evaluated).`,
    });
  } else {
    blocks.push({
      kind: "paragraph",
      text:
        `**${cells("opened")} opened, ${cells("closed")} closed, ${cells("changed")} with other ports** ` +
        `(pairs of stand-in pods and places outside the cluster; ${diff.evaluated.toLocaleString("en")} connections evaluated).`,
    });
  }
  for (const kind of ["opened", "closed", "changed"] as const) {
    const all = lines(kind);
    if (all.length === 0) continue;
    blocks.push({ kind: "paragraph", text: `**${HEADINGS[kind]}**` });
    const shown = all.slice(0, LINES_SHOWN);
    const byGroups = new Map<string, DiffLine[]>();
    for (const line of shown) byGroups.set(line.groups, [...(byGroups.get(line.groups) ?? []), line]);
    for (const [groups, group] of byGroups) {
      blocks.push({ kind: "paragraph", text: `*${groups}*` });
      blocks.push({ kind: "list", items: group.map(lineText) });
    }
    if (all.length > shown.length) {
      blocks.push({ kind: "paragraph", text: `… and ${all.length - shown.length} more lines.` });
    }
  }

  const { added, removed, changed, total } = diff.resources;
  blocks.push({ kind: "heading", level: 4, text: "Resources" });
  if (added.length + removed.length + changed.length === 0) {
    blocks.push({
      kind: "paragraph",
      text: `No resource added, changed or removed (${count(total, "resource")}).`,
    });
  } else {
    blocks.push({
      kind: "paragraph",
      text: `**${added.length} added, ${changed.length} changed, ${removed.length} removed** (${count(total, "resource")}).`,
    });
  }
  const resourceList = (title: string, items: string[]) => {
    if (items.length === 0) return;
    const shown = items.slice(0, LINES_SHOWN);
    const more = items.length > shown.length ? [`… and ${items.length - shown.length} more`] : [];
    blocks.push({ kind: "paragraph", text: `**${title}**` });
    blocks.push({ kind: "list", items: [...shown, ...more] });
  };
  resourceList(
    "Added",
    added.map((r) => `\`${r.urn}\``),
  );
  resourceList(
    "Changed",
    changed.map((c) => {
      const paths = c.paths.slice(0, PATHS_SHOWN).map((p) => `\`${p}\``);
      const more = c.paths.length > PATHS_SHOWN ? ` and ${c.paths.length - PATHS_SHOWN} more` : "";
      return `\`${c.urn}\`: ${paths.join(", ")}${more}`;
    }),
  );
  resourceList(
    "Removed",
    removed.map((r) => `\`${r.urn}\``),
  );
  return renderMarkdown(blocks);
}

function lineText(line: DiffLine): string {
  const ends = `\`${line.from}\` → \`${line.to}\``;
  const ports = (list: PortRef[]) => list.map(portText).join(", ");
  const alike = line.changes.length > 1 ? ` (${line.changes.length} pairs)` : "";
  switch (line.kind) {
    case "opened":
      return `${ends}: ${ports(line.after)}${alike}`;
    case "closed":
      return `${ends}: ${ports(line.before)}${alike}`;
    case "changed": {
      const added = line.after.filter((p) => !line.before.some((b) => portText(b) === portText(p)));
      const removed = line.before.filter((p) => !line.after.some((a) => portText(a) === portText(p)));
      const parts = [
        ...(added.length > 0 ? [`+${ports(added)}`] : []),
        ...(removed.length > 0 ? [`−${ports(removed)}`] : []),
      ];
      return `${ends}: ${ports(line.before)} → ${ports(line.after)} (${parts.join("; ")})${alike}`;
    }
  }
}

function unionKeys(a: readonly PlanEndpoint[], b: readonly PlanEndpoint[]): string[] {
  return [...new Set([...a.map((e) => e.key), ...b.map((e) => e.key)])];
}

function portsKey(ports: readonly PortRef[]): string {
  return [...ports].sort(comparePorts).map(portText).join(",");
}
