/**
 * `netseg explain`: one connection over the probe estate, with the verdict, the evaluator's reason, and per
 * side the policies that isolate the pod and the rules that let the connection through, each with the
 * policy's description annotation, so a reviewer sees *why* and not only *what*.
 */

import { type ProbePod, probeEstate } from "../../analysis/estate";
import { answerText, awsFactsOf, StoreAccessModel } from "../../analysis/storeAccess";
import type { NetworkPolicy } from "../../core/k8s";
import {
  type Endpoint,
  NetworkPolicyEvaluator,
  PROTOCOLS,
  type Probe,
  type Protocol,
  ruleText,
  type SideVerdict,
  tierRuleText,
} from "../../evaluator";
import { DESCRIPTION_ANNOTATION } from "../../model/policy";
import { CommandError } from "../commands/command";
import { meshExplanation } from "./mesh";
import { type Plan, planObjects } from "./plan";

export interface ExplainRequest {
  from: string;
  to: string;
  /** Required unless `to` names a data store, whose first port is then asked about. */
  port?: string;
  protocol?: string;
  /** Labels of the source pod, `key=value,...`, when `to` names a data store. */
  podLabels?: string;
}

/** `ns/pod` is a pod, anything else an address, IPv4 or IPv6 (the evaluator checks its form). */
export function endpointOf(text: string): Endpoint {
  const slash = text.indexOf("/");
  const address = /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(text) || text.slice(0, Math.max(slash, 0)).includes(":");
  if (slash > 0 && !address) {
    return { namespace: text.slice(0, slash), pod: text.slice(slash + 1) };
  }
  return { ip: text };
}

export function explainConnection(plan: Plan, request: ExplainRequest): string {
  const store = plan.config.dataStores.find((s) => s.name === request.to);
  if (store) return explainStoreAccess(plan, request, store.name);
  if (request.port === undefined) {
    throw new CommandError(
      `--port is missing: give the port of ${request.to}, or name a data store (${plan.config.dataStores.map((s) => s.name).join(", ")}) as --to`,
    );
  }
  const requestPort = request.port;
  const { estate, pods } = probeEstate(plan.config, planObjects(plan));
  const evaluator = new NetworkPolicyEvaluator(estate);
  const ends = { from: endpointOf(request.from), to: endpointOf(request.to) };
  for (const [side, endpoint] of Object.entries(ends)) {
    if ("ip" in endpoint || evaluator.pod(endpoint.namespace, endpoint.pod)) continue;
    throw notAStandIn(`--${side} ${request[side as "from" | "to"]}`, endpoint.namespace, pods);
  }
  const protocol = request.protocol?.toUpperCase();
  if (protocol !== undefined && !PROTOCOLS.includes(protocol as Protocol)) {
    throw new CommandError(`--protocol ${request.protocol}: use one of ${PROTOCOLS.join(", ")}`);
  }
  const port = /^\d+$/.test(requestPort) ? Number(requestPort) : requestPort;
  const probe: Probe = {
    from: ends.from,
    to: ends.to,
    port,
    ...(protocol ? { protocol: protocol as Protocol } : {}),
  };
  const result = evaluator.probe(probe);

  const policies = new Map(estate.policies.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
  const described = (key: string) => {
    const description = describe(policies.get(key));
    return description === undefined ? key : `${key}: ${description}`;
  };
  const { port: number, protocol: proto, portName } = result.connection;
  const mesh = meshExplanation(plan.config, planObjects(plan), ends, result);
  const lines = [
    `${request.from} → ${request.to} on ${proto}/${number}${portName ? ` (${portName})` : ""}: ${mesh?.verdict ?? result.verdict}${mesh ? ` (${mesh.summary})` : ""}`,
    `  ${result.reason}`,
    "",
    ...sideLines(result.egress, `egress from ${request.from}`, described),
    "",
    ...sideLines(result.ingress, `ingress to ${request.to}`, described),
    ...(mesh?.lines ?? []),
  ];
  return `${lines.join("\n")}\n`;
}

/** A pod the probe estate lacks: the stand-ins of its namespace, or else every kind of stand-in there is. */
function notAStandIn(option: string, namespace: string, pods: readonly ProbePod[]): CommandError {
  const inNamespace = pods.filter((p) => p.namespace === namespace).map((p) => `${p.namespace}/${p.name}`);
  if (inNamespace.length > 0) {
    return new CommandError(
      `${option}: namespace ${namespace} has the stand-in pods ${inNamespace.join(", ")}`,
    );
  }
  const others = [
    ...new Set(pods.filter((p) => p.role.kind !== "area-pod").map((p) => `${p.namespace}/${p.name}`)),
  ];
  const areaNamespaces = [...new Set(pods.filter((p) => p.role.kind === "area-pod").map((p) => p.namespace))];
  return new CommandError(
    `${option}: no stand-in pod there. The probe estate has ` +
      `<namespace>/endpoint (labelled endpoint: "true") and <namespace>/worker in every area namespace ` +
      `(${areaNamespaces.join(", ")}), and ${others.join(", ")}; or give an IP address`,
  );
}

function sideLines(side: SideVerdict, title: string, described: (key: string) => string): string[] {
  if (side.pod === undefined) {
    return [`${title}: an address outside the cluster's pods, which no NetworkPolicy governs`];
  }
  // A cluster-tier rule decided, or an Admin Pass handed the side on: say so before the NetworkPolicies.
  if (side.tierRule && (side.decidedBy === "Admin" || side.decidedBy === "Baseline")) {
    const passed = side.passedBy ? [`  after ${tierRuleText(side.passedBy)} passed it on`] : [];
    return [`${title}: ${side.allowed ? "allowed" : "denied"} by ${tierRuleText(side.tierRule)}`, ...passed];
  }
  if (side.passedBy) {
    const { passedBy, ...rest } = side;
    return [`${title}: passed on by ${tierRuleText(passedBy)}`, ...sideLines(rest, title, described)];
  }
  if (!side.isolated) {
    return [
      `${title}: not isolated (no policy of its namespace selects it for ${side.direction}), so allowed`,
    ];
  }
  const lines = [`${title}: ${side.allowed ? "allowed" : "denied"}`, "  isolated by:"];
  lines.push(...side.isolatedBy.map((key) => `    ${described(key)}`));
  if (side.allowedBy.length === 0) {
    lines.push(`  allowed by: no ${side.direction} rule of these policies matches`);
  } else {
    lines.push("  allowed by:");
    for (const ref of side.allowedBy) {
      const description = described(ref.policy);
      lines.push(
        `    ${ruleText(ref)}${description === ref.policy ? "" : description.slice(ref.policy.length)}`,
      );
    }
  }
  return lines;
}

function describe(policy: NetworkPolicy | undefined): string | undefined {
  return policy?.metadata?.annotations?.[DESCRIPTION_ANNOTATION];
}

/**
 * A pod's reach of a data store across every layer (analysis/storeAccess.ts): the NetworkPolicies, the
 * store's security group, the routes and the peering, with the layer that decides and the rule it quotes.
 */
function explainStoreAccess(plan: Plan, request: ExplainRequest, store: string): string {
  const namespace = request.from.split("/")[0] ?? "";
  if (!plan.config.namespaces.some((ns) => ns.name === namespace)) {
    throw new CommandError(
      `--from ${request.from}: ${namespace} is not an area namespace of the stack; name one of ${plan.config.namespaces.map((ns) => ns.name).join(", ")}`,
    );
  }
  const podLabels: Record<string, string> = {};
  for (const pair of (request.podLabels ?? "").split(",").filter((p) => p.length > 0)) {
    const [key, value] = pair.split("=");
    if (!key || value === undefined)
      throw new CommandError(`--pod-labels ${request.podLabels}: write key=value,key=value`);
    podLabels[key] = value;
  }
  if (request.port !== undefined && !/^\d+$/.test(request.port)) {
    throw new CommandError(`--port ${request.port}: a data store is asked about by port number`);
  }
  const model = new StoreAccessModel(plan.config, planObjects(plan), awsFactsOf(plan.config), [
    { namespace, podLabels },
  ]);
  const answer = model.ask(namespace, podLabels, {
    store,
    ...(request.port === undefined ? {} : { port: Number(request.port) }),
  });
  const width = Math.max(...answer.layers.map((layer) => layer.layer.length));
  return `${[
    answerText(answer),
    "",
    ...answer.layers.map(
      (layer) => `  ${layer.layer.padEnd(width)}  ${layer.allowed ? "allowed" : "DENIED "}  ${layer.rule}`,
    ),
  ].join("\n")}\n`;
}
