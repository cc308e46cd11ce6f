/**
 * The one-line `reason` of a verdict. It names the tier, the policy and the rule that decided each side
 * (an Admin or Baseline rule, or the NetworkPolicies that isolate the pod and the rules that let the
 * connection through), because "which policy decided this" is what people ask of such tools first.
 */
import type { Connection } from "./compile";
import type { RuleRef, SideVerdict, TierRuleRef } from "./types";

/** At most this many rules are named per side; the structured result lists them all. */
const RULES_SHOWN = 3;

export function connectionText(connection: Connection): string {
  const base = `${connection.protocol}/${connection.port}`;
  return connection.portName === undefined ? base : `${base} (${connection.portName})`;
}

export function ruleText(ref: RuleRef): string {
  const peers = ref.direction === "ingress" ? "from" : "to";
  const peer = ref.peer === undefined ? "" : `.${peers}[${ref.peer}]`;
  return `${ref.policy} ${ref.direction}[${ref.rule}]${peer}`;
}

/** `Admin ClusterNetworkPolicy netseg-areas-backoffice ingress[1] "from-other-areas" (Deny)`. */
export function tierRuleText(ref: TierRuleRef): string {
  const name = ref.name === undefined ? "" : ` ${JSON.stringify(ref.name)}`;
  return `${ref.tier} ${ref.kind} ${ref.policy} ${ref.direction}[${ref.rule}]${name} (${ref.action})`;
}

function listText(items: readonly string[]): string {
  if (items.length <= RULES_SHOWN) return items.join(", ");
  return `${items.slice(0, RULES_SHOWN).join(", ")} and ${items.length - RULES_SHOWN} more`;
}

function sideText(side: SideVerdict, peer: string, connection: Connection): string | undefined {
  if (side.pod === undefined) return undefined;
  const base = side.direction === "egress" ? `egress from ${side.pod}` : `ingress to ${side.pod}`;
  if (side.tierRule && (side.decidedBy === "Admin" || side.decidedBy === "Baseline")) {
    const verb = side.allowed ? "allowed" : "denied";
    const passed = side.passedBy ? `passed by ${tierRuleText(side.passedBy)}, then ` : "";
    return `${base}: ${passed}${verb} by ${tierRuleText(side.tierRule)}`;
  }
  const head = side.passedBy ? `${base}: passed by ${tierRuleText(side.passedBy)}, then` : `${base}:`;
  if (!side.isolated) return `${head} not isolated`;
  if (side.allowed) return `${head} allowed by ${listText(side.allowedBy.map(ruleText))}`;
  const towards = side.direction === "egress" ? "to" : "from";
  return (
    `${head} isolated by ${listText(side.isolatedBy)}, ` +
    `and no ${side.direction} rule allows ${connectionText(connection)} ${towards} ${peer}`
  );
}

export function reasonText(
  egress: SideVerdict,
  ingress: SideVerdict,
  names: { source: string; destination: string },
  connection: Connection,
): string {
  // Lead with what denied it, so the first words answer "why not?".
  const sides = [
    { side: egress, text: sideText(egress, names.destination, connection) },
    { side: ingress, text: sideText(ingress, names.source, connection) },
  ].sort((a, b) => Number(a.side.allowed) - Number(b.side.allowed));
  return sides.flatMap(({ text }) => (text === undefined ? [] : [text])).join("; ");
}

export function loopbackText(pod: string): string {
  return `${pod} connects to itself, which NetworkPolicies never block`;
}
