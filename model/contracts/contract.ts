/**
 * A service's contract as plain data: which traffic the service allows to its own pods (ingress), which
 * destinations its pods may reach beyond the area defaults (egress), and which of its pods are endpoints.
 * The contract also says which data stores the service uses: a statement that renders nothing (the store's
 * `clients` in the stack's config is the one place that opens it) and that lint checks against those clients.
 * Both front ends build this record (the TypeScript vocabulary in `vocabulary.ts`, the contract file in
 * `file.ts`); one renderer (`render.ts`) and one linter (`lint.ts`) read it.
 *
 * Paths in problems follow the contract file (`ingress[0].from[1].cidr`), so a team fixing a file and a
 * team fixing TypeScript read the same words.
 */

import { ProblemError, withRule } from "../../core/problems";
import type { Area } from "../areas";
import type { ConfigIssue } from "../issues";

export type Labels = Readonly<Record<string, string>>;

export type Protocol = "TCP" | "UDP" | "SCTP";
export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

/** A destination port: a number or range, or the name of a container port of the destination pods. */
export type ContractPort =
  | { protocol: Protocol; port: number; endPort?: number }
  | { protocol: Protocol; name: string };

/** The other end of a rule. */
export type ContractPeer =
  /** Pods of every namespace in an area, optionally only those carrying `pods` (the seed's contract). */
  | { kind: "area"; area: Area; pods?: Labels }
  /** Pods of one namespace, optionally only those carrying `pods`. */
  | { kind: "namespace"; namespace: string; pods?: Labels }
  /** Pods of the contract's own namespace carrying `pods`. */
  | { kind: "pods"; pods: Labels }
  /** Addresses outside the cluster; `reason` says why they are trusted. */
  | { kind: "cidr"; cidr: string; reason?: string };

export type Direction = "ingress" | "egress";

export interface ContractRule {
  direction: Direction;
  /** Names the rendered policy (`<contract>-<name>`); derived from the first peer when absent. */
  name?: string;
  /** The contract's own pods the rule is about: the receivers of ingress, the senders of egress. */
  pods: Labels;
  /** Senders (ingress) or receivers (egress). Empty means everyone, which lint refuses. */
  peers: ContractPeer[];
  /** Empty means every port. */
  ports: ContractPort[];
  /** Why the traffic is needed, for the people reading the policy in the cluster. */
  why: string;
}

/** Pods that carry `endpoint: "true"`, so the area rules open them in the strict phase. */
export interface Exposure {
  pods: Labels;
  why: string;
}

/**
 * A data store of the stack (`segmentation:dataStores`) the service's pods use. The store's `clients` open
 * it, in both layers; this entry is the service's own word for it, which lint holds the clients to.
 */
export interface StoreUse {
  /** The store's name in the stack's config. */
  name: string;
  /** The service's pods that use it; empty means every pod of the namespace. */
  pods: Labels;
  /** What the service keeps in the store, or reads from it. */
  why: string;
}

export interface ContainerPortDeclaration {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

/** A pod template of the service, as its chart renders it. */
export interface Workload {
  name: string;
  labels: Labels;
  ports: ContainerPortDeclaration[];
}

export interface ServicePortDeclaration {
  name?: string;
  /** The port clients dial on the Service's address. */
  port: number;
  /** The port the pods receive on (a number or a container port's name): what NetworkPolicies see. */
  targetPort: number | string;
  protocol: Protocol;
}

/** A Kubernetes Service of the service, as its chart renders it. */
export interface ServiceDeclaration {
  name: string;
  selector: Labels;
  ports: ServicePortDeclaration[];
}

export interface Contract {
  /** DNS label; names the rendered policies and labels them. */
  name: string;
  /** The namespace the service runs in; the policies live there. */
  namespace: string;
  description?: string;
  ingress: ContractRule[];
  egress: ContractRule[];
  expose: Exposure[];
  /** The data stores the service's pods use. */
  stores: StoreUse[];
  /** The service's pods; absent when the contract does not declare them (lint skips what needs them). */
  workloads?: Workload[];
  /** The service's Services; absent when the contract does not declare them. */
  services?: ServiceDeclaration[];
}

/** Every rule of the contract with its path in the contract file. */
export function rulesOf(contract: Contract): { rule: ContractRule; path: string }[] {
  return [
    ...contract.ingress.map((rule, i) => ({ rule, path: `ingress[${i}]` })),
    ...contract.egress.map((rule, i) => ({ rule, path: `egress[${i}]` })),
  ];
}

/** The field of a rule that lists its peers, as the contract file names it. */
export function peersField(direction: Direction): "from" | "to" {
  return direction === "ingress" ? "from" : "to";
}

/** A problem with a contract: the path in the contract file, the value, what is wrong, the fix. */
export type ContractIssue = ConfigIssue;

export class ContractError extends ProblemError {
  constructor(issues: readonly ContractIssue[], subject = "contract") {
    super(`Invalid ${subject}`, withRule("contract", issues));
    this.name = "ContractError";
  }
}

/** `app=query-api,tier=web`, or `(every pod)` for an empty selector. */
export function labelsText(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? "(every pod)" : entries.map(([key, value]) => `${key}=${value}`).join(",");
}

/** True when every label of `selector` is on `labels`: the pod is selected. */
export function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** True when some pod could carry both selectors' labels (they never require different values). */
export function compatible(a: Labels, b: Labels): boolean {
  return Object.entries(a).every(([key, value]) => b[key] === undefined || b[key] === value);
}

export function portText(port: ContractPort): string {
  if ("name" in port) return `${port.protocol}/${port.name}`;
  return port.endPort === undefined
    ? `${port.protocol}/${port.port}`
    : `${port.protocol}/${port.port}-${port.endPort}`;
}
