import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { NetworkPolicy } from "../../core/k8s";
import {
  DEFAULT_POLICY_LABEL,
  isProtectedNamespaceLabel,
  MANAGED_LABEL,
  NAMESPACE_NAME_LABEL,
} from "../../core/labels";
import { parseConfig } from "../../model/config";
import {
  allow,
  CONTRACT_LABEL,
  type Contract,
  ContractError,
  contract,
  expose,
  Peer,
  Pods,
  Port,
  parseContractFile,
  planContract,
  renderContract,
  toContractNetworkPolicy,
} from "../../model/contracts";
import { planLabelIntegrity, RESERVED_POLICY_NAME_PREFIX } from "../../model/labelIntegrity";
import { DESCRIPTION_ANNOTATION, toNetworkPolicy } from "../../model/policy";
import { rawConfigOf } from "../../model/stackFile";
import { type AdmissionRequest, admit } from "../support/celAdmission";
import { kubernetesSchemaProblems } from "../support/kubernetesSchema";
import { editedConfig, ROOT } from "../support/stack";

const EXAMPLES = join(ROOT, "examples", "contracts");

function examples(): Contract[] {
  return readdirSync(EXAMPLES)
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => {
      const parsed = parseContractFile(readFileSync(join(EXAMPLES, name), "utf8"));
      assert.ok(parsed.contract, name);
      return parsed.contract;
    });
}

/** One contract that uses every kind of peer and port the vocabulary has. */
const everything = () =>
  contract("ledger", {
    namespace: "payments",
    rules: [
      allow(Peer.area("backoffice"), Port.tcp(8080)).to(
        Pods.labelled({ app: "ledger" }),
        "Backoffice reads the ledger.",
      ),
      allow(Peer.pods({ "ledger-client": "true" }, { area: "internalservices" }), Port.named("grpc")).to(
        Pods.labelled({ app: "ledger" }),
        "Internal services post entries.",
      ),
      allow(Peer.namespace("api"), Port.tcpRange(9000, 9010)).to(
        Pods.labelled({ app: "ledger" }),
        "Exports.",
      ),
      allow(Peer.pods({ app: "gateway" }, { namespace: "webhooks" }), Port.udp(5353)).to(
        Pods.labelled({ app: "ledger" }),
        "Discovery.",
      ),
      allow(Peer.pods({ app: "ledger-worker" }), Port.tcp(8081)).to(
        Pods.labelled({ app: "ledger" }),
        "Jobs.",
      ),
      allow(Peer.ipv4("198.51.100.0/24", "The bank's reconciliation servers."), Port.HTTPS).to(
        Pods.labelled({ app: "ledger" }),
        "The bank pushes statements.",
      ),
      allow(Pods.labelled({ app: "ledger-worker" }), Port.HTTPS).to(
        Peer.ipv4("172.20.8.0/24", "The partner VPN."),
        "Settlement files.",
      ),
      expose(Pods.labelled({ app: "ledger" }), "Every backoffice service reads balances."),
    ],
  });

describe("rendering contracts", () => {
  it("renders one policy per rule, in the contract's namespace, labelled with the contract and described by the rule's why", () => {
    for (const c of [...examples(), everything()]) {
      const policies = renderContract(c);
      const rules = [...c.ingress, ...c.egress];
      assert.equal(policies.length, rules.length, c.name);
      for (const policy of policies.map(toContractNetworkPolicy)) {
        assert.equal(policy.metadata?.namespace, c.namespace);
        assert.equal(policy.metadata?.labels?.[CONTRACT_LABEL], c.name);
        const description = policy.metadata?.annotations?.[DESCRIPTION_ANNOTATION] ?? "";
        assert.ok(
          rules.some((rule) => description.endsWith(rule.why)),
          description,
        );
      }
    }
  });

  it("passes the Kubernetes API schema", async () => {
    for (const c of [...examples(), everything()]) {
      for (const policy of renderContract(c).map(toContractNetworkPolicy)) {
        assert.deepEqual(await kubernetesSchemaProblems(policy as never), [], policy.metadata?.name);
      }
    }
  });

  it("never looks like a platform policy: no netseg- name, no managed or default-policy label", () => {
    for (const c of [...examples(), everything()]) {
      for (const policy of renderContract(c).map(toContractNetworkPolicy)) {
        assert.ok(!policy.metadata?.name?.startsWith(RESERVED_POLICY_NAME_PREFIX), policy.metadata?.name);
        assert.equal(policy.metadata?.labels?.[MANAGED_LABEL], undefined);
        assert.equal(policy.metadata?.labels?.[DEFAULT_POLICY_LABEL], undefined);
      }
    }
  });

  it("is created, changed and deleted by a tenant while label integrity denies tenants the platform's policies", async () => {
    // GIVEN label integrity in deny mode and a tenant who is no platform principal
    const config = parseConfig(rawConfigOf(editedConfig((v) => (v.labelIntegrity.enforcement = "deny"))));
    const guards = planLabelIntegrity(config).policies;
    const tenant = { username: "alice@example.com", groups: ["team-payments", "system:authenticated"] };
    const request = (operation: AdmissionRequest["operation"], object: unknown, oldObject: unknown) => {
      const meta = ((object ?? oldObject) as NetworkPolicy).metadata!;
      return {
        kind: { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" },
        resource: { group: "networking.k8s.io", version: "v1", resource: "networkpolicies" },
        name: meta.name!,
        namespace: meta.namespace!,
        operation,
        userInfo: tenant,
        object,
        oldObject,
      };
    };
    for (const c of examples()) {
      for (const policy of renderContract(c).map(toContractNetworkPolicy)) {
        const changed = { ...policy, metadata: { ...policy.metadata, annotations: { note: "edited" } } };
        for (const req of [
          request("CREATE", policy, null),
          request("UPDATE", changed, policy),
          request("DELETE", null, policy),
        ]) {
          // WHEN the API server runs every guard on the request THEN none refuses it
          for (const { policy: guard, binding } of guards) {
            const outcome = await admit(guard, binding, req);
            assert.equal(
              outcome.allowed,
              true,
              `${req.operation} ${policy.metadata?.name}: ${outcome.denial}`,
            );
          }
        }
        // while the same policy rendered the platform's way is refused: the guards are live
        const asPlatform = toNetworkPolicy(renderContract(c)[0]!);
        const refused = await Promise.all(
          guards.map(({ policy: guard, binding }) =>
            admit(guard, binding, request("CREATE", asPlatform, null)),
          ),
        );
        assert.ok(refused.some((outcome) => !outcome.allowed));
      }
    }
  });

  it("selects namespaces only by labels tenants cannot set on their own namespace", () => {
    for (const c of [...examples(), everything()]) {
      for (const policy of renderContract(c)) {
        const rules = [
          ...(policy.spec.ingress ?? []).flatMap((r) => r.from ?? []),
          ...(policy.spec.egress ?? []).flatMap((r) => r.to ?? []),
        ];
        for (const peer of rules) {
          const selector = peer.namespaceSelector;
          if (!selector) continue;
          const keys = [
            ...Object.keys(selector.matchLabels ?? {}),
            ...(selector.matchExpressions ?? []).map((e) => e.key),
          ];
          assert.ok(
            keys.length > 0,
            `${policy.name}: a namespaceSelector without labels selects every namespace`,
          );
          for (const key of keys) {
            assert.ok(
              key === NAMESPACE_NAME_LABEL || isProtectedNamespaceLabel(key),
              `${policy.name}: ${key}`,
            );
          }
        }
      }
    }
  });

  it("renders the same policies whatever the order of the rules", () => {
    const base = everything();
    fc.assert(
      fc.property(fc.shuffledSubarray(base.ingress, { minLength: base.ingress.length }), (ingress) => {
        assert.deepEqual(renderContract({ ...base, ingress }), renderContract(base));
      }),
      { numRuns: 30 },
    );
  });

  it("names policies after the contract and the first peer, unless the rule is named", () => {
    const names = renderContract(everything()).map((policy) => policy.name);
    assert.ok(names.includes("ledger-from-backoffice"), names.join());
    assert.ok(names.includes("ledger-from-internalservices-ledger-client"), names.join());
    assert.ok(names.includes("ledger-to-172-20-8-0-24"), names.join());
    const [payments] = examples().filter((c) => c.name === "payments-api");
    assert.ok(payments);
    assert.deepEqual(
      renderContract(payments).map((policy) => policy.name),
      ["payments-api-from-payments-projector"],
    );
  });

  it("refuses two rules that would render to one policy, naming both", () => {
    const twice = () =>
      contract("ledger", {
        namespace: "payments",
        rules: [
          allow(Peer.area("backoffice"), Port.tcp(8080)).to(Pods.labelled({ app: "ledger" }), "Reads."),
          allow(Peer.area("backoffice"), Port.tcp(9090)).to(Pods.labelled({ app: "ledger" }), "Metrics."),
        ],
      });
    assert.throws(
      () => planContract(twice()),
      (error: unknown) =>
        error instanceof ContractError &&
        error.problems.length === 1 &&
        /ingress\[1\]\.name: .*renders to policy ledger-from-backoffice, as ingress\[0\] does; give this rule a distinct name/.test(
          error.message,
        ),
    );
  });

  it("refuses to plan a contract lint finds an error in, listing every error", () => {
    const careless = contract("ledger", {
      namespace: "payments",
      rules: [
        allow([], Port.tcp(8080)).to(Pods.labelled({}), "Everyone reads the ledger."),
        allow(Peer.ipv4("198.51.100.0/24")).to(Pods.labelled({ app: "ledger" }), "The bank."),
      ],
    });
    assert.throws(
      () => planContract(careless),
      (error: unknown) => {
        assert.ok(error instanceof ContractError);
        assert.deepEqual(error.problems.map((issue) => issue.path).sort(), [
          "ingress[0].from",
          "ingress[0].pods",
          "ingress[1].from[0].cidr",
        ]);
        return true;
      },
    );
  });
});
