/**
 * The diff of two plans: what happens to namespaces leaving their area or the stack, the segmentation diff
 * (`analysis/diff.ts`), then the resources added, changed and removed by URN. Rendered as Markdown for a
 * pull-request comment.
 */

import type { DesignCell } from "../../analysis/design";
import {
  type ChangeKind,
  type ConnectionChange,
  collapse,
  type DiffLine,
  diffConnections,
} from "../../analysis/diff";
import { type PlanReachability, type PortRef, portText } from "../../analysis/reachability";
import { diffStoreAccess, type StoreAccessAnswer, type StoreAccessDiff } from "../../analysis/storeAccess";
import { AREA_LABEL, ROLE_LABEL } from "../../core/labels";
import type { RecordedResource } from "../offline";
import type { Block } from "./document";
import { renderMarkdown } from "./document";
import { count } from "./plan";

export interface ResourceChange {
  urn: string;
  type: string;
  /** Paths of what changed: `inputs.metadata.labels.networkArea`, `options.protect`. */
  paths: string[];
}

export interface ResourceDiff {
  added: RecordedResource[];
  removed: RecordedResource[];
  /** Resources of the base that the head declares under a new name with an alias to the old one. */
  renamed: { from: string; to: string }[];
  changed: ResourceChange[];
  total: number;
}

export interface PlanDiff {
  /** What the update does to each area namespace that is retired or leaves the stack, one sentence each. */
  namespaces: string[];
  changes: ConnectionChange[];
  lines: DiffLine[];
  /** Connections evaluated in the head plan, for scale. */
  evaluated: number;
  resources: ResourceDiff;
  /** Namespace × data store flows that open or close across every layer; absent when not computed. */
  storeAccess?: StoreAccessDiff;
  /** Forbidden cells that stayed denied under any team policy in the base and no longer do in the head. */
  tenantProofLost?: DesignCell[];
}

export function diffPlans(
  base: {
    reachability: PlanReachability;
    resources: readonly RecordedResource[];
    storeAccess?: StoreAccessAnswer[];
  },
  head: {
    reachability: PlanReachability;
    resources: readonly RecordedResource[];
    storeAccess?: StoreAccessAnswer[];
  },
): PlanDiff {
  const changes = diffConnections(base.reachability, head.reachability);
  return {
    ...(base.storeAccess && head.storeAccess
      ? { storeAccess: diffStoreAccess(base.storeAccess, head.storeAccess) }
      : {}),
    namespaces: namespaceDepartures(base.resources, head.resources),
    changes,
    lines: collapse(changes, base.reachability, head.reachability),
    evaluated: head.reachability.connectionCount(),
    resources: diffResources(base.resources, head.resources),
  };
}

const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";

/**
 * What `pulumi up` does to namespaces that leave their area or the stack. The resource diff alone shows a
 * dropped namespace as a list of removed URNs; what matters is whether its pods stay isolated and what
 * stops the update.
 */
export function namespaceDepartures(
  base: readonly RecordedResource[],
  head: readonly RecordedResource[],
): string[] {
  const namespaces = (resources: readonly RecordedResource[]) =>
    new Map(resources.filter((r) => r.type === NAMESPACE_TYPE).map((r) => [r.urn, r]));
  const after = namespaces(head);
  const notes: string[] = [];
  for (const [urn, before] of namespaces(base)) {
    const { name, labels } = metadataOf(before);
    const role = labels[ROLE_LABEL];
    const area = labels[AREA_LABEL];
    const now = after.get(urn);
    if (role === "area" && !now) {
      notes.push(
        `\`${name}\` leaves the stack while still in area ${area}: \`pulumi preview\` fails on the protected ` +
          `namespace, and an update run anyway deletes its allows and leaves \`netseg-default-deny\` in the ` +
          `cluster, which cuts every pod of ${name} off, then stops at the namespace, which keeps its ` +
          `\`${AREA_LABEL}\` label. To take it out on purpose, set \`retired: true\` on it first and drop it in ` +
          "a later change.",
      );
    } else if (role === "area" && now && metadataOf(now).labels[ROLE_LABEL] === "retired") {
      notes.push(
        `\`${name}\` is retired from area ${area}: it loses its \`${AREA_LABEL}\` label and every allow, and ` +
          `\`netseg-default-deny\` quarantines its pods (nothing in or out but what contracts the service still deploys there allow) until the namespace is ` +
          "deleted. No other namespace, tool or controller treats it as part of an area any more.",
      );
    } else if (role === "retired" && !now) {
      notes.push(
        `\`${name}\` (retired) leaves the stack: Pulumi forgets the namespace and its quarantine policy, ` +
          "and both stay in the cluster until the namespace is deleted.",
      );
    }
  }
  return notes;
}

function metadataOf(resource: RecordedResource): { name: string; labels: Record<string, string> } {
  const metadata = (resource.inputs.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
  return { name: metadata.name ?? resource.name, labels: metadata.labels ?? {} };
}

/** Paths shown per changed resource; the rest are counted. */
const PATHS_SHOWN = 6;

export function diffResources(
  base: readonly RecordedResource[],
  head: readonly RecordedResource[],
): ResourceDiff {
  const after = new Map(head.map((r) => [r.urn, r]));
  // The engine matches a base resource to a head one by URN, or by an alias the head one declares.
  const byAlias = new Map(head.flatMap((r) => r.options.aliases.map((alias) => [alias, r] as const)));
  const matched = new Set<string>();
  const changed: ResourceChange[] = [];
  const renamed: { from: string; to: string }[] = [];
  const removed: RecordedResource[] = [];
  for (const b of base) {
    const h = after.get(b.urn) ?? byAlias.get(b.urn);
    if (!h) {
      removed.push(b);
      continue;
    }
    matched.add(h.urn);
    if (h.urn !== b.urn) renamed.push({ from: b.urn, to: h.urn });
    const paths: string[] = [];
    for (const field of ["inputs", "options", "provider", "parent"] as const) {
      changedPaths(b[field], h[field], field, paths);
    }
    if (paths.length > 0) changed.push({ urn: h.urn, type: h.type, paths });
  }
  return {
    added: head.filter((r) => !matched.has(r.urn)),
    removed,
    renamed,
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
  return renderMarkdown([
    ...departureBlocks(diff),
    ...tenantProofBlocks(diff.tenantProofLost ?? []),
    ...connectionBlocks(diff),
    ...storeAccessBlocks(diff.storeAccess),
    ...resourceBlocks(diff.resources),
  ]);
}

/** What `pulumi up` does to the namespaces that leave their area or the stack. */
function departureBlocks(diff: PlanDiff): Block[] {
  if (diff.namespaces.length === 0) return [];
  return [
    { kind: "heading", level: 4, text: "Namespaces leaving their area or the stack" },
    { kind: "list", items: diff.namespaces },
  ];
}

/** The forbidden cells a team policy can open now and could not before. */
function tenantProofBlocks(lost: NonNullable<PlanDiff["tenantProofLost"]>): Block[] {
  if (lost.length === 0) return [];
  const shown = lost.slice(0, LINES_SHOWN);
  return [
    { kind: "heading", level: 4, text: "Cells no longer tenant-proof" },
    {
      kind: "paragraph",
      text: `**${count(lost.length, "forbidden cell")}** that no team policy could open before can be opened by one now:`,
    },
    {
      kind: "list",
      items: [
        ...shown.map(
          (cell) => `\`${cell.from}\` → \`${cell.to}\` ${cell.port}/${cell.protocol}: ${cell.rule}`,
        ),
        ...(lost.length > shown.length ? [`… and ${lost.length - shown.length} more`] : []),
      ],
    },
  ];
}

/** The connections that open, close or change ports, by kind and then by the areas of their ends. */
function connectionBlocks(diff: PlanDiff): Block[] {
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
  return blocks;
}

/** Which area namespaces gain or lose a path to a data store, when any does. */
function storeAccessBlocks(storeAccess: PlanDiff["storeAccess"]): Block[] {
  if (!storeAccess || storeAccess.opened.length + storeAccess.closed.length === 0) return [];
  const blocks: Block[] = [
    { kind: "heading", level: 4, text: "Data store access" },
    {
      kind: "paragraph",
      text:
        `**${storeAccess.opened.length} opened, ${storeAccess.closed.length} closed** ` +
        "(a pod of each area namespace to each store's first port, through NetworkPolicies, security groups, routes and peering).",
    },
  ];
  if (storeAccess.opened.length > 0) {
    blocks.push({ kind: "paragraph", text: "**Opened**" }, { kind: "list", items: storeAccess.opened });
  }
  if (storeAccess.closed.length > 0) {
    blocks.push({ kind: "paragraph", text: "**Closed**" }, { kind: "list", items: storeAccess.closed });
  }
  return blocks;
}

/** The resources added, changed (with the inputs that changed), removed and renamed, by URN. */
function resourceBlocks(resources: PlanDiff["resources"]): Block[] {
  const { added, removed, changed, total } = resources;
  const blocks: Block[] = [{ kind: "heading", level: 4, text: "Resources" }];
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
    removed.map((r) =>
      r.options.protect
        ? `\`${r.urn}\` (protected: \`pulumi up\` stops here until someone unprotects it)`
        : r.options.retainOnDelete
          ? `\`${r.urn}\` (retained: it stays in the cluster, out of the stack)`
          : `\`${r.urn}\``,
    ),
  );
  resourceList(
    "Renamed, carried over by an alias (no replacement)",
    resources.renamed.map((r) => `\`${r.from}\` → \`${r.to}\``),
  );
  return blocks;
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
