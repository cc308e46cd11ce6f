/**
 * The estate of the upstream e2e NetworkPolicy suite's method, written for these tests: namespaces x, y,
 * z, each with pods a, b, c serving 80 and 81 over TCP, UDP and SCTP, and truth tables over all 81 pod
 * pairs. Expectations are predicates over pod names, written from the specification, never read back
 * from the evaluator.
 */
import assert from "node:assert/strict";
import type { NetworkPolicy, NetworkPolicySpec } from "../../core/k8s";
import {
  type Endpoint,
  type Estate,
  NetworkPolicyEvaluator,
  type PodInfo,
  type Protocol,
} from "../../evaluator";

export const NAMESPACES = ["x", "y", "z"] as const;
export const PODS = ["a", "b", "c"] as const;

/** `x/a` is 10.0.1.1, `y/b` 10.0.2.2: one /24 per namespace, so ipBlocks can pick namespaces and pods. */
export function podIp(namespace: string, pod: string): string {
  return `10.0.${NAMESPACES.indexOf(namespace as never) + 1}.${PODS.indexOf(pod as never) + 1}`;
}

export function xyzPods(): PodInfo[] {
  return NAMESPACES.flatMap((namespace) =>
    PODS.map((pod) => ({
      namespace,
      name: pod,
      labels: { pod },
      ip: podIp(namespace, pod),
      ports: [
        { name: "serve-80-tcp", containerPort: 80, protocol: "TCP" as const },
        { name: "serve-81-tcp", containerPort: 81, protocol: "TCP" as const },
        { name: "serve-80-udp", containerPort: 80, protocol: "UDP" as const },
        { name: "serve-81-sctp", containerPort: 81, protocol: "SCTP" as const },
      ],
    })),
  );
}

/** x, y, z labelled `ns: <name>`; only y has `team: blue`. No `kubernetes.io/metadata.name` given. */
export function xyzEstate(policies: NetworkPolicy[]): Estate {
  return {
    namespaces: NAMESPACES.map((name) => ({
      name,
      labels: name === "y" ? { ns: name, team: "blue" } : ({ ns: name } as Record<string, string>),
    })),
    pods: xyzPods(),
    policies,
  };
}

export function policy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { namespace, name }, spec };
}

export function endpoint(key: string): Endpoint {
  const [namespace, pod] = key.split("/") as [string, string];
  return key.includes("/") ? { namespace, pod } : { ip: key };
}

export const XYZ_KEYS: readonly string[] = NAMESPACES.flatMap((ns) => PODS.map((pod) => `${ns}/${pod}`));

export type Expectation = (from: string, to: string) => boolean;

/**
 * Probes every pair of `keys` and fails with the whole expected-versus-observed table on any mismatch,
 * as the upstream suite prints its reachability matrix.
 */
export function assertTruthTable(
  evaluator: NetworkPolicyEvaluator,
  expected: Expectation,
  port: number | string = 80,
  protocol?: Protocol,
  keys: readonly string[] = XYZ_KEYS,
): void {
  const wrong: string[] = [];
  const rows: string[] = [`      ${keys.map((k) => k.padEnd(4)).join(" ")}`];
  for (const from of keys) {
    let row = `${from.padEnd(5)} `;
    for (const to of keys) {
      if (!from.includes("/") && !to.includes("/")) {
        row += "  -  ";
        continue;
      }
      const result = evaluator.probe({
        from: endpoint(from),
        to: endpoint(to),
        port,
        ...(protocol ? { protocol } : {}),
      });
      const observed = result.verdict === "allow";
      const want = from === to || expected(from, to);
      row += observed === want ? (observed ? "  .  " : "  X  ") : observed ? " !.  " : " !X  ";
      if (observed !== want)
        wrong.push(`${from} -> ${to}: expected ${want ? "allow" : "deny"} (${result.reason})`);
    }
    rows.push(row);
  }
  assert.deepEqual(wrong, [], `truth table (. allow, X deny, ! wrong):\n${rows.join("\n")}`);
}

export function evaluatorOf(policies: NetworkPolicy[]): NetworkPolicyEvaluator {
  return new NetworkPolicyEvaluator(xyzEstate(policies));
}

export const nsOf = (key: string): string => key.split("/")[0]!;
export const podOf = (key: string): string => key.split("/")[1]!;
