/**
 * Contract lint: the mistakes the seeds and the field warn about, each reported with its path in the
 * contract file, the value, what is wrong and the fix.
 *
 * Some checks read the contract alone (selectors that mean everyone, public ranges without a reason), some
 * need the service's pods and Services as its chart renders them (selectors that match none of them, a
 * Service port where the pods receive on another), and some the stack's config (what the area defaults
 * already allow, found with the evaluator). A check whose input is missing is skipped, and the report
 * says which and what would enable it.
 */

import { contains, INSTANCE_METADATA_CIDR, NON_PUBLIC_RANGES, overlaps } from "../../core/cidr";
import { AREA_LABEL, ENDPOINT_LABEL, ENDPOINT_VALUE } from "../../core/labels";
import { isArea } from "../areas";
import type { SegmentationConfig } from "../config";
import {
  type Contract,
  type ContractIssue,
  type ContractRule,
  compatible,
  type Labels,
  labelsText,
  peersField,
  rulesOf,
  selects,
  type Workload,
} from "./contract";
import { policyNameIssues } from "./render";

export type Severity = "error" | "warning" | "note";

export type CheckId =
  | "every-peer"
  | "every-pod"
  | "public-cidr-reason"
  | "area-label-on-pods"
  | "named-port"
  | "policy-name"
  | "no-pod"
  | "endpoint-label"
  | "service-port"
  | "service-selector"
  | "namespace"
  | "cidr-covers-pods"
  | "instance-metadata"
  | "area-vpc"
  | "adds-nothing";

export interface Finding extends ContractIssue {
  severity: Severity;
  check: CheckId;
}

/** A stack's config, as `--stack`/`--config` name it. */
export interface StackContext {
  name: string;
  config: SegmentationConfig;
}

/** Every check that needs nothing but the contract (and what it declares about the service). */
export function fileFindings(contract: Contract): Finding[] {
  return [
    ...selectorFindings(contract),
    ...cidrFindings(contract),
    ...portFindings(contract),
    ...policyNameIssues(contract).map((issue) => finding("error", "policy-name", issue)),
    ...(contract.workloads ? workloadFindings(contract, contract.workloads) : []),
    ...(contract.services ? serviceFindings(contract) : []),
  ];
}

/** A finding of `check`, which is also the rule its problem breaks. */
export function finding(severity: Severity, check: CheckId, issue: ContractIssue): Finding {
  return { severity, check, ...issue, rule: check };
}

// --- selectors that mean everyone, or nothing -------------------------------------------------------------

function selectorFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  const areaLabel = (labels: Labels, path: string, asPeer: boolean) => {
    const value = labels[AREA_LABEL];
    if (value === undefined) return;
    out.push(
      finding("error", "area-label-on-pods", {
        path: `${path}.${AREA_LABEL}`,
        value,
        problem: `is the area label of namespaces; on a pod it says only what the pod's owner wrote there`,
        fix:
          asPeer && isArea(value)
            ? `write {area: ${value}} to select pods of that area's namespaces`
            : `remove ${AREA_LABEL} from the pod labels`,
      }),
    );
  };
  const everyPodOfMine = (path: string, labels: Labels, what: string) => {
    areaLabel(labels, path, false);
    if (Object.keys(labels).length > 0) return;
    out.push(
      finding("error", "every-pod", {
        path,
        value: labels,
        problem: `selects every pod of namespace ${contract.namespace}, ${what}`,
        fix: "name the labels of the pods it is for, as their pod template sets them (e.g. {app: my-api})",
      }),
    );
  };
  for (const { rule, path } of rulesOf(contract)) {
    const field = peersField(rule.direction);
    everyPodOfMine(
      `${path}.pods`,
      rule.pods,
      rule.direction === "ingress" ? "other services' pods included" : "so all of them may connect",
    );
    if (rule.peers.length === 0) {
      out.push(
        finding("error", "every-peer", {
          path: `${path}.${field}`,
          value: undefined,
          problem:
            rule.direction === "ingress"
              ? "is empty, so the rule admits every pod of every namespace and every address"
              : "is empty, so the pods may reach every address and every pod",
          fix: `list the ${rule.direction === "ingress" ? "clients" : "destinations"}: {area}, {namespace}, {pods} or {cidr, reason}`,
        }),
      );
    }
    rule.peers.forEach((peer, j) => {
      if (peer.kind === "cidr") return;
      const peerPath = `${path}.${field}[${j}].pods`;
      if (peer.pods) areaLabel(peer.pods, peerPath, true);
      if (peer.kind === "pods" && Object.keys(peer.pods).length === 0) {
        out.push(
          finding("error", "every-pod", {
            path: peerPath,
            value: peer.pods,
            problem: `selects every pod of namespace ${contract.namespace}`,
            fix: `name the labels the ${rule.direction === "ingress" ? "clients" : "destinations"} carry; for the whole namespace write {namespace: ${contract.namespace}}`,
          }),
        );
      }
    });
  }
  contract.expose.forEach((entry, i) => {
    everyPodOfMine(`expose[${i}].pods`, entry.pods, "so every one of them is an endpoint");
  });
  return out;
}

function cidrFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  for (const { rule, path } of rulesOf(contract)) {
    rule.peers.forEach((peer, j) => {
      if (peer.kind !== "cidr") return;
      if (rule.direction === "egress" && overlaps(peer.cidr, INSTANCE_METADATA_CIDR)) {
        out.push(
          finding("error", "instance-metadata", {
            path: `${path}.to[${j}].cidr`,
            value: peer.cidr,
            problem: `includes instance metadata (${INSTANCE_METADATA_CIDR}), which the platform allows or denies for every namespace (segmentation:egress.instanceMetadata)`,
            fix: "narrow the range; if the pods need instance metadata, ask the platform team",
          }),
        );
      }
      if (peer.reason !== undefined || contains(NON_PUBLIC_RANGES, peer.cidr)) return;
      out.push(
        finding("error", "public-cidr-reason", {
          path: `${path}.${peersField(rule.direction)}[${j}].cidr`,
          value: peer.cidr,
          problem: `includes public addresses and has no reason`,
          fix: "add `reason:` saying whose addresses these are and why they are trusted, or narrow the range",
        }),
      );
    });
  }
  return out;
}

function portFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  for (const { rule, path } of rulesOf(contract)) {
    rule.ports.forEach((port, k) => {
      if (!("name" in port) || rule.direction === "ingress") return;
      out.push(
        finding("error", "named-port", {
          path: `${path}.ports[${k}]`,
          value: port.name,
          problem:
            "names a port of the destination's pods, which this contract does not declare (and addresses have no port names)",
          fix: "write the destination's port number",
        }),
      );
    });
  }
  return out;
}

// --- against the service's pods -----------------------------------------------------------------------------

function workloadFindings(contract: Contract, workloads: readonly Workload[]): Finding[] {
  const out: Finding[] = [];
  const described = workloads.map((w) => `${w.name} (${labelsText(w.labels)})`).join(", ") || "none";
  const selected = (labels: Labels) => workloads.filter((w) => selects(labels, w.labels));
  const noPod = (path: string, labels: Labels) => {
    if (Object.keys(labels).length === 0 || selected(labels).length > 0) return false;
    out.push(
      finding("error", "no-pod", {
        path,
        value: labels,
        problem: `matches no pod of the service; its workloads are ${described}`,
        fix: "use labels the pod template sets (a selector that drifts from the pods admits nothing)",
      }),
    );
    return true;
  };
  for (const { rule, path } of rulesOf(contract)) {
    if (noPod(`${path}.pods`, rule.pods) || rule.direction !== "ingress") continue;
    const targets = selected(rule.pods);
    rule.ports.forEach((port, k) => {
      if (!("name" in port)) return;
      const declaring = targets.filter((w) =>
        w.ports.some((p) => p.name === port.name && p.protocol === port.protocol),
      );
      if (declaring.length > 0) return;
      const other = targets.flatMap((w) => w.ports.filter((p) => p.name === port.name));
      out.push(
        finding("error", "named-port", {
          path: `${path}.ports[${k}]`,
          value: port.name,
          problem:
            other.length > 0
              ? `is a ${other[0]!.protocol} port of the selected pods, and the rule says ${port.protocol}`
              : `is not a port of the selected pods (${targets.map((w) => `${w.name}: ${w.ports.map((p) => p.name ?? p.containerPort).join(", ") || "no ports"}`).join("; ")})`,
          fix:
            other.length > 0
              ? `write {port: ${port.name}, protocol: ${other[0]!.protocol}}`
              : "use a name the pods declare, or the port number",
        }),
      );
    });
  }
  contract.expose.forEach((entry, i) => {
    const path = `expose[${i}].pods`;
    if (noPod(path, entry.pods)) return;
    for (const workload of selected(entry.pods)) {
      if (workload.labels[ENDPOINT_LABEL] === ENDPOINT_VALUE) continue;
      out.push(
        finding("error", "endpoint-label", {
          path,
          value: entry.pods,
          problem: `selects workload ${workload.name}, whose pods do not carry ${ENDPOINT_LABEL}: "${ENDPOINT_VALUE}", so the area rules never open them`,
          fix: `add ${ENDPOINT_LABEL}: "${ENDPOINT_VALUE}" to the labels of ${workload.name}'s pod template`,
        }),
      );
    }
  });
  workloads.forEach((workload, w) => {
    if (workload.labels[ENDPOINT_LABEL] !== ENDPOINT_VALUE) return;
    if (contract.expose.some((entry) => selects(entry.pods, workload.labels))) return;
    out.push(
      finding("warning", "endpoint-label", {
        path: `workloads[${w}].labels.${ENDPOINT_LABEL}`,
        value: ENDPOINT_VALUE,
        problem: `makes ${workload.name} an endpoint, which the strict phase opens to its area's namespaces, and no expose entry says so`,
        fix: `add an expose entry for ${workload.name} saying who needs it, or drop the label from its pod template`,
      }),
    );
  });
  return out;
}

/** NetworkPolicies see the port a pod receives on, after the Service has translated it (seed 004, NP-11). */
function serviceFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  const workloads = contract.workloads;
  const services = contract.services ?? [];
  const reaches = (selector: Labels, rule: ContractRule): Workload[] | boolean =>
    workloads
      ? workloads.filter((w) => selects(selector, w.labels) && selects(rule.pods, w.labels))
      : compatible(selector, rule.pods);
  const targetPortOf = (target: number | string, pods: readonly Workload[]) =>
    typeof target === "number"
      ? target
      : (pods.flatMap((w) => w.ports).find((p) => p.name === target)?.containerPort ?? target);

  contract.ingress.forEach((rule, r) => {
    const path = `ingress[${r}]`;
    rule.ports.forEach((port, k) => {
      if ("name" in port || port.endPort !== undefined) return;
      for (const service of services) {
        const overlap = reaches(service.selector, rule);
        if (overlap === false || (Array.isArray(overlap) && overlap.length === 0)) continue;
        const pods = Array.isArray(overlap) ? overlap : [];
        for (const servicePort of service.ports) {
          if (servicePort.port !== port.port || servicePort.protocol !== port.protocol) continue;
          const target = targetPortOf(servicePort.targetPort, pods);
          if (target === port.port) continue;
          if (
            pods.some((w) =>
              w.ports.some((p) => p.containerPort === port.port && p.protocol === port.protocol),
            )
          ) {
            continue;
          }
          out.push(
            finding("error", "service-port", {
              path: `${path}.ports[${k}]`,
              value: port.port,
              problem: `is the port of Service ${service.name}, which delivers to the pods on ${typeof servicePort.targetPort === "string" ? `"${servicePort.targetPort}" (${target})` : target}; policies see the port the pods receive on`,
              fix: `write ${typeof target === "number" ? target : `"${target}"`}, the container port`,
            }),
          );
        }
      }
    });
  });

  contract.ingress.forEach((rule, r) => {
    for (const service of services) {
      if (!compatible(service.selector, rule.pods)) continue;
      const servicePods = workloads?.filter((w) => selects(service.selector, w.labels)) ?? [];
      const forService =
        rule.ports.length === 0 ||
        service.ports.some((sp) =>
          rule.ports.some((port) =>
            "name" in port
              ? port.name === sp.targetPort
              : port.port === targetPortOf(sp.targetPort, servicePods) || port.port === sp.port,
          ),
        );
      if (!forService) continue;
      const missed = workloads
        ? workloads
            .filter((w) => selects(service.selector, w.labels) && !selects(rule.pods, w.labels))
            .map((w) => `workload ${w.name}`)
        : Object.keys(rule.pods).some((key) => service.selector[key] === undefined)
          ? [
              `pods without ${labelsText(Object.fromEntries(Object.entries(rule.pods).filter(([key]) => service.selector[key] === undefined)))}`,
            ]
          : [];
      if (missed.length === 0) continue;
      out.push(
        finding("warning", "service-selector", {
          path: `ingress[${r}].pods`,
          value: rule.pods,
          problem: `is narrower than Service ${service.name}'s selector (${labelsText(service.selector)}): the Service also routes to ${missed.join(", ")}, whose requests this rule refuses`,
          fix: `select the pods with the Service's labels, ${JSON.stringify(service.selector)}`,
        }),
      );
    }
  });
  return out;
}
