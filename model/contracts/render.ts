/**
 * From a contract to NetworkPolicies: one policy per rule, in the service's namespace, selecting the
 * service's pods the rule names. Peers select by the labels the platform controls (`networkArea`,
 * `kubernetes.io/metadata.name`) plus the pod labels the contract asks its clients to carry.
 *
 * The policies are the service's, not the platform's: they carry `contract.netseg.dev/name` and never a
 * `netseg-` name or the `netseg.dev/managed` and `netseg.dev/default-policy` labels, which the
 * label-integrity admission policy reserves for the platform (model/labelIntegrity.ts). A team may create,
 * change and delete them; the area defaults stay out of its reach.
 */
import { createHash } from "node:crypto";
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from "../../core/k8s";
import { AREA_LABEL } from "../../core/labels";
import { podsOfNamespace } from "../peers";
import { networkPolicyObject, type PolicySpec, policyResourceName } from "../policy";
import {
  type Contract,
  type ContractIssue,
  type ContractPeer,
  type ContractPort,
  type ContractRule,
  type Labels,
  rulesOf,
} from "./contract";

/** The label every contract policy carries: which contract it renders. */
export const CONTRACT_LABEL = "contract.netseg.dev/name";

const MAX_NAME = 253;

/** The policy a rule renders to: `<contract>-<rule name>`, the rule name derived from its first peer. */
export function policyName(contract: Contract, rule: ContractRule): string {
  const name = `${contract.name}-${rule.name ?? defaultRuleName(rule)}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9).replace(/-+$/, "")}-${hash}`;
}

function defaultRuleName(rule: ContractRule): string {
  const verb = rule.direction === "ingress" ? "from" : "to";
  const peer = rule.peers[0];
  if (!peer) return `${verb}-anywhere`;
  return `${verb}-${slug(peerSlug(peer))}`;
}

function peerSlug(peer: ContractPeer): string {
  switch (peer.kind) {
    case "area":
      return [peer.area, labelsSlug(peer.pods)].filter(Boolean).join("-");
    case "namespace":
      return [peer.namespace, labelsSlug(peer.pods)].filter(Boolean).join("-");
    case "pods":
      return labelsSlug(peer.pods) || "pods";
    case "cidr":
      return peer.cidr;
  }
}

/** `app: query-api` reads as "query-api"; a flag such as `query-services-client: "true"` by its key. */
function labelsSlug(labels: Labels | undefined): string {
  return Object.entries(labels ?? {})
    .map(([key, value]) => (value === "true" ? (key.split("/").at(-1) ?? key) : value))
    .join("-");
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 63)
      .replace(/-+$/, "") || "peer"
  );
}

/** Rules that would render to the same policy: the second would silently replace the first. */
export function policyNameIssues(contract: Contract): ContractIssue[] {
  const seen = new Map<string, string>();
  const issues: ContractIssue[] = [];
  for (const { rule, path } of rulesOf(contract)) {
    const name = policyName(contract, rule);
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, path);
      continue;
    }
    issues.push({
      path: `${path}.name`,
      value: rule.name,
      problem: `renders to policy ${name}, as ${first} does`,
      fix: `give ${rule.name === undefined ? "this rule" : "one of them"} a distinct name`,
    });
  }
  return issues;
}

function selector(labels: Labels) {
  return Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {};
}

export function renderPeer(peer: ContractPeer): NetworkPolicyPeer {
  switch (peer.kind) {
    case "area":
      return {
        namespaceSelector: { matchLabels: { [AREA_LABEL]: peer.area } },
        ...(peer.pods ? { podSelector: selector(peer.pods) } : {}),
      };
    case "namespace":
      return podsOfNamespace(peer.namespace, peer.pods);
    case "pods":
      // A podSelector alone selects in the policy's own namespace, which is the contract's.
      return { podSelector: selector(peer.pods) };
    case "cidr":
      return { ipBlock: { cidr: peer.cidr } };
  }
}

export function renderPort(port: ContractPort): NetworkPolicyPort {
  if ("name" in port) return { protocol: port.protocol, port: port.name };
  return port.endPort === undefined
    ? { protocol: port.protocol, port: port.port }
    : { protocol: port.protocol, port: port.port, endPort: port.endPort };
}

function ruleSpec(rule: ContractRule): NetworkPolicySpec {
  const peers = rule.peers.map(renderPeer);
  const ports = rule.ports.map(renderPort);
  const body = {
    ...(peers.length > 0 ? { [rule.direction === "ingress" ? "from" : "to"]: peers } : {}),
    ...(ports.length > 0 ? { ports } : {}),
  };
  return rule.direction === "ingress"
    ? { podSelector: selector(rule.pods), policyTypes: ["Ingress"], ingress: [body] }
    : { podSelector: selector(rule.pods), policyTypes: ["Egress"], egress: [body] };
}

/** The policy of each rule, sorted by name. Renders what it is given: `planContract` checks first. */
export function renderContract(contract: Contract): PolicySpec[] {
  return rulesOf(contract)
    .map(({ rule }): PolicySpec => {
      const name = policyName(contract, rule);
      return {
        resourceName: policyResourceName(contract.namespace, name),
        namespace: contract.namespace,
        name,
        labels: { [CONTRACT_LABEL]: contract.name },
        description: `Contract ${contract.name}: ${rule.why}`,
        spec: ruleSpec(rule),
        after: [],
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The Kubernetes object of a contract policy: the service's, so without the platform's managed label. */
export function toContractNetworkPolicy(policy: PolicySpec): NetworkPolicy {
  return networkPolicyObject(policy, {});
}
