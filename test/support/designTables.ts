/**
 * The reachability tables of DESIGN.md section 2, transcribed cell by cell. They are the specification the
 * rendered policies are checked against, so they are written out here rather than derived from the
 * model's area rules.
 */

import type { ExternalDestination } from "../../analysis/expectations";
import type { Area } from "../../model/areas";

type Cell = "allow" | "deny";
type ByArea = Record<Area, Cell>;

/** Who opens the connection, as the rows of the migration table name it. */
export type SourceRow =
  | "same namespace"
  | "another namespace of the same area"
  | "a namespace in publicfrontal"
  | "a namespace in backoffice"
  | "a namespace in internalservices"
  | "A's own ingress controller"
  | "another area's ingress controller"
  | "monitoring"
  | "a namespace with no area label"
  | "an address outside the cluster";

/** Migration phase: ingress to pods of a namespace in area A (column). */
export const MIGRATION_INGRESS: Record<SourceRow, ByArea> = {
  "same namespace": { publicfrontal: "allow", backoffice: "allow", internalservices: "allow" },
  "another namespace of the same area": {
    publicfrontal: "allow",
    backoffice: "allow",
    internalservices: "allow",
  },
  "a namespace in publicfrontal": { publicfrontal: "allow", backoffice: "allow", internalservices: "allow" },
  "a namespace in backoffice": { publicfrontal: "deny", backoffice: "allow", internalservices: "allow" },
  "a namespace in internalservices": { publicfrontal: "deny", backoffice: "deny", internalservices: "allow" },
  "A's own ingress controller": { publicfrontal: "allow", backoffice: "allow", internalservices: "allow" },
  "another area's ingress controller": {
    publicfrontal: "deny",
    backoffice: "deny",
    internalservices: "deny",
  },
  monitoring: { publicfrontal: "allow", backoffice: "allow", internalservices: "allow" },
  "a namespace with no area label": { publicfrontal: "deny", backoffice: "deny", internalservices: "deny" },
  "an address outside the cluster": { publicfrontal: "deny", backoffice: "deny", internalservices: "deny" },
};

/** Workaround namespaces (backoffice) additionally admit the internalservices controller. */
export const WORKAROUND_NAMESPACES = [
  "beneficiaries",
  "gpi-gateway",
  "gpi-interface",
  "payments",
  "risk-admin",
];

/**
 * Strict phase: `[to endpoint pods, to other pods]`. Rows the design does not list are denied ("ingress is
 * denied by default; allowed only as follows").
 */
export const STRICT_INGRESS: Record<SourceRow, Record<Area, [Cell, Cell]>> = {
  "same namespace": {
    publicfrontal: ["allow", "deny"],
    backoffice: ["allow", "deny"],
    internalservices: ["allow", "deny"],
  },
  "another namespace of the same area": {
    publicfrontal: ["allow", "deny"],
    backoffice: ["allow", "deny"],
    internalservices: ["allow", "deny"],
  },
  "a namespace in publicfrontal": {
    publicfrontal: ["allow", "deny"],
    backoffice: ["deny", "deny"],
    internalservices: ["allow", "deny"],
  },
  "a namespace in backoffice": {
    publicfrontal: ["deny", "deny"],
    backoffice: ["allow", "deny"],
    internalservices: ["deny", "deny"],
  },
  "a namespace in internalservices": {
    publicfrontal: ["deny", "deny"],
    backoffice: ["deny", "deny"],
    internalservices: ["allow", "deny"],
  },
  "A's own ingress controller": {
    publicfrontal: ["allow", "deny"],
    backoffice: ["allow", "deny"],
    internalservices: ["allow", "deny"],
  },
  "another area's ingress controller": {
    publicfrontal: ["deny", "deny"],
    backoffice: ["deny", "deny"],
    internalservices: ["deny", "deny"],
  },
  monitoring: {
    publicfrontal: ["allow", "allow"],
    backoffice: ["allow", "allow"],
    internalservices: ["allow", "allow"],
  },
  "a namespace with no area label": {
    publicfrontal: ["deny", "deny"],
    backoffice: ["deny", "deny"],
    internalservices: ["deny", "deny"],
  },
  "an address outside the cluster": {
    publicfrontal: ["deny", "deny"],
    backoffice: ["deny", "deny"],
    internalservices: ["deny", "deny"],
  },
};

export type EgressRow =
  | "public IPs (internet)"
  | "backoffice VPC CIDRs"
  | "publicfrontal VPC CIDRs"
  | "natonly VPC CIDRs"
  | "Kafka VPC CIDRs"
  | "any other private address"
  | "instance metadata";

/** Egress from pods of a namespace in area A, both phases (pods and DNS are checked as pod destinations). */
export const EGRESS: Record<EgressRow, ByArea> = {
  "public IPs (internet)": { publicfrontal: "allow", backoffice: "allow", internalservices: "allow" },
  "backoffice VPC CIDRs": { publicfrontal: "deny", backoffice: "allow", internalservices: "deny" },
  "publicfrontal VPC CIDRs": { publicfrontal: "allow", backoffice: "deny", internalservices: "deny" },
  "natonly VPC CIDRs": { publicfrontal: "deny", backoffice: "deny", internalservices: "allow" },
  "Kafka VPC CIDRs": { publicfrontal: "allow", backoffice: "allow", internalservices: "allow" },
  "any other private address": { publicfrontal: "deny", backoffice: "deny", internalservices: "deny" },
  "instance metadata": { publicfrontal: "deny", backoffice: "deny", internalservices: "deny" },
};

/** The row of the egress table an outside destination falls under. */
export function egressRowOf(destination: ExternalDestination): EgressRow {
  switch (destination.kind) {
    case "internet":
      return "public IPs (internet)";
    case "private":
      return "any other private address";
    case "instance-metadata":
      return "instance metadata";
    case "vpc":
      return destination.vpc === "kafka" ? "Kafka VPC CIDRs" : (`${destination.vpc} VPC CIDRs` as EgressRow);
  }
}
