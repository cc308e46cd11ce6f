/**
 * The reachability of a plan, summed up the way the design's tables are written: between areas (per phase,
 * `endpoint: "true"` pods apart from the others), between namespaces, out of the cluster, to DNS and the
 * tools, and in and out of each ingress controller. Pure: the report and the heat map render it.
 */
import { AREAS, type Area, type Phase } from "../model/areas";
import type { SegmentationConfig } from "../model/config";
import { SERVICE_PORT } from "./estate";
import {
  areaOf,
  comparePorts,
  OUTSIDE_GROUP,
  type PlanEndpoint,
  type PlanReachability,
  type PortRef,
  portText,
  UNLABELLED_GROUP,
} from "./reachability";

/** How many of a set of connections are allowed. */
export interface Tally {
  allowed: number;
  total: number;
}

export const SERVICE: PortRef = { port: SERVICE_PORT, protocol: "TCP" };

export function tallyText(tally: Tally): string {
  if (tally.total === 0) return "–";
  if (tally.allowed === tally.total) return "allow";
  if (tally.allowed === 0) return "deny";
  return `${tally.allowed}/${tally.total}`;
}

/** A row of sources: every pod of an area, one controller, a tool, or one place outside the cluster. */
export interface SourceGroup {
  name: string;
  /** Indexes into `Reachability.sources`. */
  members: number[];
}

export type NamespaceCell = "allow" | "endpoint-only" | "partial" | "deny";

export interface AreaColumn {
  area: Area;
  endpoint: boolean;
  /** Indexes into `Reachability.destinations`. */
  members: number[];
}

export interface PhaseTable {
  phase: Phase;
  columns: AreaColumn[];
  /** `cells[row][column]`, rows as in `ReachabilitySummary.rows`. */
  cells: Tally[][];
}

export interface NamespaceInfo {
  name: string;
  area: Area;
  phase: Phase;
  /** Indexes of its stand-in pods, as sources and as destinations (the same pods in both lists). */
  sources: number[];
  destinations: number[];
}

export interface PortsCell {
  /** Per port the destination serves: how many of the group's connections reach it. */
  ports: { port: PortRef; tally: Tally }[];
}

export interface ReachabilitySummary {
  /** Source rows of the area tables: areas, controllers, monitoring, the unlabelled namespace, the internet. */
  rows: SourceGroup[];
  phases: PhaseTable[];
  /** Area namespaces, by area then name. */
  namespaces: NamespaceInfo[];
  /** The cell from one namespace to another, by their indexes in `namespaces`. */
  namespaceCell(from: number, to: number): NamespaceCell;
  /** How many namespaces (itself included) a namespace reaches with each kind of cell. */
  namespaceTally(from: number): Record<NamespaceCell, number>;
  /** Egress of each area's pods to each place outside the cluster. */
  egress: { area: Area; cells: { destination: PlanEndpoint; cell: PortsCell }[] }[];
  /** Every group of pods to cluster DNS, and to the tools. */
  services: {
    title: string;
    destinations: PlanEndpoint[];
    rows: { group: SourceGroup; cells: PortsCell[] }[];
  }[];
  controllers: ControllerSummary[];
  connections: { evaluated: number; allowed: number };
}

export interface ControllerSummary {
  area: Area;
  controller: PlanEndpoint;
  /** Who reaches the controller's ports: places outside the cluster, and monitoring. */
  inbound: { group: SourceGroup; cell: PortsCell }[];
  /** What the controller reaches: each area's pods, the tools, DNS, the control plane, the internet. */
  outbound: { name: string; cell: PortsCell }[];
}

export function summarise(r: PlanReachability, config: SegmentationConfig): ReachabilitySummary {
  const areasPresent = AREAS.filter((area) => r.sources.some((e) => areaOf(e) === area));
  const podGroups: SourceGroup[] = [
    ...areasPresent.map((area) => ({ name: area, members: sourcesOf(r, (e) => areaOf(e) === area) })),
    ...groupsBy(r, role("controller")),
    ...groupsBy(r, role("monitoring")),
    ...groupsBy(r, role("vault")),
    ...groupsBy(r, role("dns")),
    { name: UNLABELLED_GROUP, members: sourcesOf(r, role("unlabelled")) },
  ].filter((g) => g.members.length > 0);
  const outsideGroups: SourceGroup[] = r.sources.flatMap((e, i) =>
    e.group === OUTSIDE_GROUP ? [{ name: e.label, members: [i] }] : [],
  );
  const internet = outsideGroups.filter((g) => r.sources[g.members[0]!]!.key === "internet");
  const rows = [...podGroups.filter((g) => !["vault", "dns"].includes(kindOf(r, g))), ...internet];
  const namespaces = namespaceInfos(r, config);
  const { namespaceCell: cellBetween, namespaceTally } = namespaceGrid(r, namespaces);
  const outsideDestinations = r.destinations.filter((e) => e.group === OUTSIDE_GROUP);
  const egress = areasPresent.map((area) => {
    const members = sourcesOf(r, (e) => areaOf(e) === area);
    return {
      area,
      cells: outsideDestinations.map((destination) => ({
        destination,
        cell: portsCell(r, members, [r.destinationIndex.get(destination.key)!]),
      })),
    };
  });
  const services = [
    serviceTable(r, podGroups, "Cluster DNS", role("dns")),
    serviceTable(r, podGroups, "Tools", (e) => e.role.kind === "vault" || e.role.kind === "monitoring"),
  ].filter((s) => s.destinations.length > 0);
  const monitoring = podGroups.filter((g) => kindOf(r, g) === "monitoring");
  return {
    rows,
    phases: phaseTables(r, config, rows, areasPresent),
    namespaces,
    namespaceCell: cellBetween,
    namespaceTally,
    egress,
    services,
    controllers: r.destinations
      .filter(role("controller"))
      .map((controller) => controllerSummary(r, controller, [...outsideGroups, ...monitoring], areasPresent)),
    connections: { evaluated: r.connectionCount(), allowed: r.allowedCount() },
  };
}

const role = (kind: string) => (e: PlanEndpoint) => e.role.kind === kind;

function sourcesOf(r: PlanReachability, test: (e: PlanEndpoint) => boolean): number[] {
  return r.sources.flatMap((e, i) => (test(e) ? [i] : []));
}

function destinationsOf(r: PlanReachability, test: (e: PlanEndpoint) => boolean): number[] {
  return r.destinations.flatMap((e, i) => (test(e) ? [i] : []));
}

/**
 * The area tables, one per phase that has namespaces: a row per source group, a column per area and kind
 * of pod (endpoint or not) among the destinations in that phase.
 */
function phaseTables(
  r: PlanReachability,
  config: SegmentationConfig,
  rows: readonly SourceGroup[],
  areasPresent: readonly Area[],
): PhaseTable[] {
  const phaseOf = new Map(config.namespaces.map((ns) => [ns.name, ns.phase]));
  return (["migration", "strict"] as const).flatMap((phase): PhaseTable[] => {
    const inPhase = (e: PlanEndpoint) => e.role.kind === "area-pod" && phaseOf.get(e.namespace!) === phase;
    const columns = areasPresent.flatMap((area) =>
      [true, false].map((endpoint) => ({
        area,
        endpoint,
        members: destinationsOf(
          r,
          (e) =>
            inPhase(e) && e.role.kind === "area-pod" && e.role.area === area && e.role.endpoint === endpoint,
        ),
      })),
    );
    if (columns.every((c) => c.members.length === 0)) return [];
    const kept = columns.filter((c) => c.members.length > 0);
    return [
      {
        phase,
        columns: kept,
        cells: rows.map((row) => kept.map((c) => tally(r, row.members, c.members, SERVICE))),
      },
    ];
  });
}

/** The area namespaces that have stand-in pods, by area then name, with the indexes of their pods. */
function namespaceInfos(r: PlanReachability, config: SegmentationConfig): NamespaceInfo[] {
  // The stand-in pods of each area namespace, found in one pass rather than one pass per namespace.
  const byNamespace = (endpoints: readonly PlanEndpoint[]) => {
    const indexes = new Map<string, number[]>();
    endpoints.forEach((e, i) => {
      if (e.role.kind !== "area-pod" || e.namespace === undefined) return;
      const list = indexes.get(e.namespace);
      if (list) list.push(i);
      else indexes.set(e.namespace, [i]);
    });
    return indexes;
  };
  const areaSources = byNamespace(r.sources);
  const areaDestinations = byNamespace(r.destinations);
  return config.namespaces
    .map((ns) => ({
      name: ns.name,
      area: ns.area,
      phase: ns.phase,
      sources: areaSources.get(ns.name) ?? [],
      destinations: areaDestinations.get(ns.name) ?? [],
    }))
    .filter((ns) => ns.sources.length > 0)
    .sort((a, b) => AREAS.indexOf(a.area) - AREAS.indexOf(b.area) || a.name.localeCompare(b.name));
}

/** Every pod group towards the destinations `test` picks, the groups that are those destinations aside. */
function serviceTable(
  r: PlanReachability,
  podGroups: readonly SourceGroup[],
  title: string,
  test: (e: PlanEndpoint) => boolean,
): ReachabilitySummary["services"][number] {
  const destinations = r.destinations.filter(test);
  return {
    title,
    destinations,
    rows: podGroups
      .filter((g) => !g.members.every((m) => destinations.some((d) => d.key === r.sources[m]!.key)))
      .map((group) => ({
        group,
        cells: destinations.map((d) => portsCell(r, group.members, [r.destinationIndex.get(d.key)!])),
      })),
  };
}

/** Who reaches a controller (`inboundGroups`), and what it reaches: each area's pods, the tools, DNS, out. */
function controllerSummary(
  r: PlanReachability,
  controller: PlanEndpoint,
  inboundGroups: readonly SourceGroup[],
  areasPresent: readonly Area[],
): ControllerSummary {
  const area = (controller.role as { area: Area }).area;
  const d = r.destinationIndex.get(controller.key)!;
  const s = r.sourceIndex.get(controller.key)!;
  const towards = (name: string, members: number[]) => ({ name, cell: portsCell(r, [s], members) });
  return {
    area,
    controller,
    inbound: inboundGroups.map((group) => ({ group, cell: portsCell(r, group.members, [d]) })),
    outbound: [
      ...areasPresent.map((a) =>
        towards(
          `${a} pods`,
          destinationsOf(r, (e) => areaOf(e) === a),
        ),
      ),
      ...r.destinations
        .filter((e) => ["monitoring", "vault", "dns"].includes(e.role.kind))
        .map((e) => towards(e.key, [r.destinationIndex.get(e.key)!])),
      ...r.destinations
        .filter((e) => e.group === OUTSIDE_GROUP && (e.key === "internet" || e.key === "control-plane"))
        .map((e) => towards(e.label, [r.destinationIndex.get(e.key)!])),
    ],
  };
}

/** One row per namespace of the pods with this role (one controller, one tool...). */
function groupsBy(r: PlanReachability, test: (e: PlanEndpoint) => boolean): SourceGroup[] {
  const groups = new Map<string, number[]>();
  r.sources.forEach((e, i) => {
    if (!test(e)) return;
    const members = groups.get(e.group) ?? [];
    members.push(i);
    groups.set(e.group, members);
  });
  return [...groups].map(([name, members]) => ({ name, members }));
}

function kindOf(r: PlanReachability, group: SourceGroup): string {
  return r.sources[group.members[0]!]!.role.kind;
}

/**
 * Connections from every source to every destination (an endpoint and itself excepted) on one port,
 * counted by classes of cells: one verdict per class.
 */
export function tally(r: PlanReachability, sources: number[], destinations: number[], port: PortRef): Tally {
  let allowed = 0;
  let total = 0;
  for (const cell of r.cellClasses(sources, destinations)) {
    total += cell.count;
    if (r.allows(cell.source, cell.destination, port)) allowed += cell.count;
  }
  return { allowed, total };
}

/**
 * The namespace grid without its n² cells: a cell depends only on the classes of its two namespaces and
 * on whether they are one, so each kind of cell is decided once and rows are counted class by class.
 */
function namespaceGrid(
  r: PlanReachability,
  namespaces: readonly NamespaceInfo[],
): Pick<ReachabilitySummary, "namespaceCell" | "namespaceTally"> {
  const classOf = namespaces.map((ns, i) => r.classOf(ns.name) ?? -1 - i);
  const decided = new Map<string, NamespaceCell>();
  const namespaceCell = (from: number, to: number): NamespaceCell => {
    const key = `${classOf[from]} ${classOf[to]} ${from === to}`;
    let cell = decided.get(key);
    if (cell === undefined) {
      cell = decideNamespaceCell(r, namespaces[from]!, namespaces[to]!);
      decided.set(key, cell);
    }
    return cell;
  };
  const members = new Map<number, number[]>();
  classOf.forEach((cls, i) => {
    const first = members.get(cls) ?? [];
    if (first.length < 2) first.push(i);
    members.set(cls, first);
  });
  const sizes = new Map<number, number>();
  for (const cls of classOf) sizes.set(cls, (sizes.get(cls) ?? 0) + 1);
  const namespaceTally = (from: number): Record<NamespaceCell, number> => {
    const counts: Record<NamespaceCell, number> = { allow: 0, "endpoint-only": 0, partial: 0, deny: 0 };
    counts[namespaceCell(from, from)]++;
    for (const [cls, size] of sizes) {
      const others = cls === classOf[from] ? size - 1 : size;
      if (others === 0) continue;
      const to = members.get(cls)!.find((i) => i !== from)!;
      counts[namespaceCell(from, to)] += others;
    }
    return counts;
  };
  return { namespaceCell, namespaceTally };
}

/** Per port the destinations serve, how many of the connections reach it. */
export function portsCell(r: PlanReachability, sources: number[], destinations: number[]): PortsCell {
  const ports = new Map<string, PortRef>();
  for (const d of destinations) for (const port of r.destinations[d]!.ports) ports.set(portText(port), port);
  return {
    ports: [...ports.values()].sort(comparePorts).map((port) => ({
      port,
      tally: tally(
        r,
        sources,
        destinations.filter((d) => r.destinations[d]!.ports.some((p) => portText(p) === portText(port))),
        port,
      ),
    })),
  };
}

/** `443/TCP, 5432/TCP (3/13)`: the ports reached, with a count where only some connections reach one. */
export function portsCellText(cell: PortsCell): string {
  const reached = cell.ports.filter((p) => p.tally.allowed > 0);
  if (cell.ports.every((p) => p.tally.total === 0)) return "–";
  if (reached.length === 0) return "deny";
  return reached
    .map(({ port, tally: t }) =>
      t.allowed === t.total ? portText(port) : `${portText(port)} (${t.allowed}/${t.total})`,
    )
    .join(", ");
}

function decideNamespaceCell(r: PlanReachability, from: NamespaceInfo, to: NamespaceInfo): NamespaceCell {
  let toEndpoints: Tally = { allowed: 0, total: 0 };
  let toOthers: Tally = { allowed: 0, total: 0 };
  for (const d of to.destinations) {
    const endpoint = r.destinations[d]!.role;
    const t = tally(r, from.sources, [d], SERVICE);
    if (endpoint.kind === "area-pod" && endpoint.endpoint) toEndpoints = add(toEndpoints, t);
    else toOthers = add(toOthers, t);
  }
  const all = add(toEndpoints, toOthers);
  if (all.allowed === all.total) return "allow";
  if (all.allowed === 0) return "deny";
  if (toEndpoints.allowed === toEndpoints.total && toOthers.allowed === 0) return "endpoint-only";
  return "partial";
}

function add(a: Tally, b: Tally): Tally {
  return { allowed: a.allowed + b.allowed, total: a.total + b.total };
}
