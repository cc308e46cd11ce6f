import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { isProtectedNamespaceLabel, LABEL_PREFIX } from "../../core/labels";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { planKubernetes } from "../../model/kubernetes";
import {
  type AdmissionPolicySpec,
  celString,
  DEFAULT_POLICIES_POLICY,
  type Enforcement,
  NAMESPACE_LABELS_POLICY,
  planLabelIntegrity,
  protectedLabelCel,
  RESERVED_POLICY_NAME_PREFIX,
} from "../../model/labelIntegrity";
import { toNetworkPolicy } from "../../model/policy";
import { rawConfigOf } from "../../model/stackFile";
import {
  type AdmissionOutcome,
  type AdmissionRequest,
  admit,
  compileProblems,
  evaluateCel,
  type UserInfo,
} from "../support/celAdmission";
import { editedConfig, ROOT } from "../support/stack";
import { DEV } from "../support/stackCounts";

const CONTACT = "#platform-network on Slack";
/** Dev's guards: namespace labels and default policies (tenant egress is guarded in NetworkPolicy mode only). */
const GUARDS = 2;

const configWith = (edit: (v: Record<string, any>) => void): SegmentationConfig =>
  parseConfig(rawConfigOf(editedConfig(edit)));
const withEnforcement = (enforcement: Enforcement) =>
  configWith((v) => (v.labelIntegrity.enforcement = enforcement));

function fixture(name: string): AdmissionRequest {
  const text = readFileSync(join(ROOT, "test", "fixtures", "admission", `${name}.json`), "utf8");
  return (JSON.parse(text) as { request: AdmissionRequest }).request;
}

const as = (request: AdmissionRequest, userInfo: UserInfo): AdmissionRequest => ({ ...request, userInfo });

// Identities as the API server reports them: IAM users through the EKS authenticator, service accounts
// with their generated groups.
const TENANT = fixture("namespace-change-area").userInfo;
const PLATFORM_ENGINEER: UserInfo = {
  username: "bob@example.com",
  groups: ["platform-admins", "system:authenticated"],
};
const DEPLOYER: UserInfo = {
  username: "system:serviceaccount:platform-ci:pulumi-deployer",
  groups: ["system:serviceaccounts", "system:serviceaccounts:platform-ci", "system:authenticated"],
};
const OTHER_CI_ACCOUNT: UserInfo = {
  username: "system:serviceaccount:platform-ci:renovate",
  groups: ["system:serviceaccounts", "system:serviceaccounts:platform-ci", "system:authenticated"],
};

function policyNamed(plan: AdmissionPolicySpec[], name: string): AdmissionPolicySpec {
  const found = plan.find((spec) => spec.policy.metadata?.name === name);
  assert.ok(found, `no admission policy ${name}`);
  return found;
}

/** Runs a request through every planned policy, as the API server would, and merges the outcomes. */
async function decide(config: SegmentationConfig, request: AdmissionRequest): Promise<AdmissionOutcome> {
  const outcomes = await Promise.all(
    planLabelIntegrity(config).policies.map(({ policy, binding }) => admit(policy, binding, request)),
  );
  const denied = outcomes.find((outcome) => !outcome.allowed);
  return {
    evaluated: outcomes.some((outcome) => outcome.evaluated),
    allowed: denied === undefined,
    ...(denied?.denial ? { denial: denied.denial } : {}),
    warnings: outcomes.flatMap((outcome) => outcome.warnings),
    audit: outcomes.flatMap((outcome) => outcome.audit),
  };
}

describe("label integrity: the admission policies", () => {
  const deny = withEnforcement("deny");

  describe("rollout switch", () => {
    const cases: [Enforcement, string[]][] = [
      ["audit", ["Audit"]],
      ["warn", ["Warn", "Audit"]],
      ["deny", ["Deny", "Audit"]],
    ];
    for (const [enforcement, actions] of cases) {
      it(`binds both policies with ${actions.join(" + ")} when enforcement is ${enforcement}`, () => {
        const plan = planLabelIntegrity(withEnforcement(enforcement));
        assert.deepEqual(plan.validationActions, actions);
        assert.equal(plan.policies.length, 2);
        for (const { binding } of plan.policies) assert.deepEqual(binding.spec?.validationActions, actions);
      });
    }

    it("lets a tenant's relabel through but records it in audit mode", async () => {
      const outcome = await decide(withEnforcement("audit"), fixture("namespace-change-area"));
      assert.equal(outcome.allowed, true);
      assert.deepEqual(outcome.warnings, []);
      assert.equal(outcome.audit.length, 1);
      assert.equal(outcome.audit[0]?.policy, NAMESPACE_LABELS_POLICY);
      assert.match(outcome.audit[0]!.message, /alice@example\.com may not set, change or remove networkArea/);
    });

    it("lets a tenant's relabel through with a warning in warn mode", async () => {
      const outcome = await decide(withEnforcement("warn"), fixture("namespace-change-area"));
      assert.equal(outcome.allowed, true);
      assert.equal(outcome.warnings.length, 1);
      assert.match(
        outcome.warnings[0]!,
        /^Validation failed for ValidatingAdmissionPolicy 'namespace-labels/,
      );
      assert.equal(outcome.audit.length, 1);
    });

    it("refuses a tenant's relabel in deny mode and still records it", async () => {
      const outcome = await decide(deny, fixture("namespace-change-area"));
      assert.equal(outcome.allowed, false);
      assert.deepEqual(outcome.warnings, []);
      assert.equal(outcome.audit.length, 1);
    });
  });

  describe("namespace labels", () => {
    const refused = [
      ["namespace-add-area", "puts a namespace in an area", "networkArea on namespace orders"],
      ["namespace-change-area", "moves a namespace to another area", "networkArea on namespace payments"],
      ["namespace-remove-area", "takes a namespace out of its area", "networkArea on namespace payments"],
      [
        "namespace-add-ingress-label",
        "lets another area's ingress controller in",
        "netseg.dev/ingress-from-internalservices on namespace payments",
      ],
      [
        "namespace-status-relabel",
        "relabels through the status subresource",
        "networkArea on namespace payments",
      ],
      ["namespace-create-in-area", "creates a namespace inside an area", "networkArea on namespace sandbox"],
    ] as const;
    for (const [name, what, labels] of refused) {
      it(`refuses a tenant who ${what}`, async () => {
        const outcome = await decide(deny, fixture(name));
        assert.equal(outcome.allowed, false);
        assert.match(outcome.denial ?? "", /^ValidatingAdmissionPolicy 'namespace-labels\.netseg\.dev'/);
        assert.ok(outcome.denial?.includes(`alice@example.com may not set, change or remove ${labels}`));
        assert.ok(outcome.denial?.endsWith(`To move a namespace between areas, ask ${CONTACT}.`));
      });
      for (const [who, user] of [
        ["a member of a platform group", PLATFORM_ENGINEER],
        ["the deployer's service account", DEPLOYER],
      ] as const) {
        it(`lets ${who} do what a tenant may not: ${what}`, async () => {
          const outcome = await decide(deny, as(fixture(name), user));
          assert.deepEqual(outcome, { evaluated: false, allowed: true, warnings: [], audit: [] });
        });
      }
    }

    it("lets a tenant change a label the segmentation does not read", async () => {
      const outcome = await decide(deny, fixture("namespace-unrelated-label"));
      assert.deepEqual(outcome, { evaluated: true, allowed: true, warnings: [], audit: [] });
    });

    it("lets a tenant create a namespace outside every area", async () => {
      const outcome = await decide(deny, fixture("namespace-create-plain"));
      assert.equal(outcome.allowed, true);
      assert.deepEqual(outcome.audit, []);
    });

    it("exempts a service account by its exact name, not its namespace", async () => {
      const outcome = await decide(deny, as(fixture("namespace-change-area"), OTHER_CI_ACCOUNT));
      assert.equal(outcome.allowed, false);
      assert.match(outcome.denial ?? "", /system:serviceaccount:platform-ci:renovate may not/);
    });

    it("exempts configured users by name", async () => {
      const config = configWith((v) => {
        v.labelIntegrity.enforcement = "deny";
        v.labelIntegrity.platformPrincipals = { users: ["arn:aws:iam::111122223333:user/ci"] };
      });
      const request = fixture("namespace-change-area");
      const ci = await decide(config, as(request, { username: "arn:aws:iam::111122223333:user/ci" }));
      assert.equal(ci.allowed, true);
      assert.equal((await decide(config, as(request, PLATFORM_ENGINEER))).allowed, false);
    });

    it("gives a tenant with no groups the same explanation, not an evaluation error", async () => {
      const outcome = await decide(deny, as(fixture("namespace-change-area"), { username: "carol" }));
      assert.equal(outcome.allowed, false);
      assert.match(
        outcome.denial ?? "",
        /carol may not set, change or remove networkArea on namespace payments/,
      );
    });

    it("protects every label the stack puts on the namespaces it manages", async () => {
      const config = withEnforcement("deny");
      const namespaces = planKubernetes(config).map((plan) => plan.namespace);
      let checked = 0;
      for (const ns of namespaces) {
        const old = {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: ns.name, labels: { ...ns.labels } },
        };
        for (const key of Object.keys(ns.labels).filter(isProtectedNamespaceLabel)) {
          const { [key]: _removed, ...without } = ns.labels;
          for (const labels of [without, { ...ns.labels, [key]: "tampered" }]) {
            const request = namespaceUpdate(old, { ...old, metadata: { ...old.metadata, labels } });
            const outcome = await decide(config, request);
            assert.equal(outcome.allowed, false, `${ns.name}: ${key}`);
            checked++;
          }
        }
      }
      assert.ok(checked >= namespaces.length * 2, "every managed namespace carries protected labels");
    });

    it("leaves namespace deletion to RBAC and the stack's protect flag", async () => {
      const old = fixture("namespace-change-area").oldObject;
      const request = { ...namespaceUpdate(old, null), operation: "DELETE" as const };
      assert.equal((await decide(deny, request)).evaluated, false);
    });

    it("ignores other kinds of objects carrying the same label", async () => {
      const configMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x", labels: { networkArea: "a" } },
      };
      const request: AdmissionRequest = {
        kind: { group: "", version: "v1", kind: "ConfigMap" },
        resource: { group: "", version: "v1", resource: "configmaps" },
        namespace: "payments",
        operation: "CREATE",
        userInfo: TENANT,
        object: configMap,
      };
      assert.equal((await decide(deny, request)).evaluated, false);
    });

    it("recognises exactly the keys isProtectedNamespaceLabel protects", async () => {
      const key = fc.oneof(
        fc.constantFrom(
          "networkArea",
          "networkarea",
          "networkArea2",
          "netseg.dev",
          "netseg.dev/",
          "netseg.devx/a",
        ),
        fc.string().map((s) => `${LABEL_PREFIX}${s}`),
        fc.string().map((s) => `x.${LABEL_PREFIX}${s}`),
        fc.string(),
      );
      await fc.assert(
        fc.asyncProperty(key, async (k) => {
          assert.equal(await evaluateCel(protectedLabelCel("k"), { k }), isProtectedNamespaceLabel(k));
        }),
      );
    });
  });

  describe("default NetworkPolicies", () => {
    const refused = [
      [
        "default-policy-edit",
        "edits a default policy",
        "change NetworkPolicy payments/netseg-allow-ingress-areas",
      ],
      [
        "default-policy-unlabel",
        "strips the labels off a default policy to escape the check",
        "change NetworkPolicy payments/netseg-allow-ingress-areas",
      ],
      [
        "default-policy-delete",
        "deletes a default policy",
        "delete NetworkPolicy payments/netseg-default-deny",
      ],
      [
        "default-policy-impersonate",
        "labels a policy of their own as a default one",
        "create NetworkPolicy payments/allow-everything",
      ],
      [
        "default-policy-squat",
        "takes a default policy's name before the stack creates it",
        "create NetworkPolicy orders/netseg-default-deny",
      ],
    ] as const;
    for (const [name, what, action] of refused) {
      it(`refuses a tenant who ${what}`, async () => {
        const outcome = await decide(deny, fixture(name));
        assert.equal(outcome.allowed, false);
        assert.match(outcome.denial ?? "", /^ValidatingAdmissionPolicy 'default-policies\.netseg\.dev'/);
        assert.ok(outcome.denial?.includes(`alice@example.com may not ${action}:`), outcome.denial);
        assert.ok(outcome.denial?.endsWith(`to change a default policy, ask ${CONTACT}.`));
      });
      it(`lets the deployer do what a tenant may not: ${what}`, async () => {
        assert.equal((await decide(deny, as(fixture(name), DEPLOYER))).evaluated, false);
      });
    }

    it("refuses a tenant's policy carrying any netseg.dev/ label, as the README promises", async () => {
      const keys = ["netseg.dev/role", "netseg.dev/anything-new", "netseg.dev/default-policy"];
      assert.equal(keys.length, 3);
      for (const key of keys) {
        const request = fixture("default-policy-impersonate");
        (request.object as { metadata: { labels: Record<string, string> } }).metadata.labels = {
          app: "mine",
          [key]: "true",
        };
        const outcome = await decide(deny, request);
        assert.equal(outcome.allowed, false, key);
        assert.match(outcome.denial ?? "", /^ValidatingAdmissionPolicy 'default-policies\.netseg\.dev'/);
      }
      // A look-alike prefix is the tenant's own.
      const request = fixture("default-policy-impersonate");
      (request.object as { metadata: { labels: Record<string, string> } }).metadata.labels = {
        "contract.netseg.dev/name": "mine",
      };
      assert.equal((await decide(deny, request)).allowed, true);
    });

    for (const name of ["contract-policy-create", "contract-policy-edit", "contract-policy-delete"]) {
      it(`lets a tenant manage a contract policy of their own (${name.replace("contract-policy-", "")})`, async () => {
        assert.deepEqual(await decide(deny, fixture(name)), {
          evaluated: true,
          allowed: true,
          warnings: [],
          audit: [],
        });
      });
    }

    it("lets the namespace controller delete default policies of a namespace being deleted", async () => {
      assert.equal((await decide(deny, fixture("namespace-controller-delete"))).allowed, true);
    });

    it("does not let the namespace controller change a default policy", async () => {
      const controller = fixture("namespace-controller-delete").userInfo;
      const outcome = await decide(deny, as(fixture("default-policy-edit"), controller));
      assert.equal(outcome.allowed, false);
    });

    it("recognises every policy the stack plans as the platform's", async () => {
      const config = withEnforcement("deny");
      const policies = planKubernetes(config).flatMap((plan) => plan.policies);
      // At least the four default policies of each area namespace.
      assert.ok(policies.length >= 4 * DEV.namespaces, `${policies.length} policies`);
      for (const spec of policies) {
        assert.ok(spec.name.startsWith(RESERVED_POLICY_NAME_PREFIX), spec.name);
        const object = toNetworkPolicy(spec);
        const outcome = await decide(config, policyRequest("DELETE", object, null));
        assert.equal(outcome.allowed, false, spec.resourceName);
      }
    });
  });

  describe("messages", () => {
    it("keeps a contact with quotes and backslashes intact in the message", async () => {
      const contact = 'the "net" team \\ desk 4';
      const config = configWith((v) => {
        v.labelIntegrity.enforcement = "deny";
        v.labelIntegrity.contact = contact;
      });
      for (const name of ["namespace-change-area", "default-policy-delete"]) {
        const outcome = await decide(config, fixture(name));
        // The dynamic message (the static fallback does not name the requester), with the contact verbatim.
        assert.ok(outcome.denial?.includes("alice@example.com may not"), outcome.denial);
        assert.ok(outcome.denial?.endsWith(`ask ${contact}.`), outcome.denial);
      }
    });

    it("falls back to a static message that still names what and who to ask", () => {
      const guards = planLabelIntegrity(deny).policies;
      assert.equal(guards.length, GUARDS);
      for (const { policy } of guards) {
        assert.ok((policy.spec.validations ?? []).length > 0, policy.metadata?.name);
        for (const validation of policy.spec.validations ?? []) {
          assert.ok(validation.message?.includes(CONTACT), policy.metadata?.name);
          assert.doesNotMatch(validation.message ?? "", /[\r\n]/);
          assert.equal(validation.reason, "Forbidden");
        }
      }
      const [namespaces, policies] = [NAMESPACE_LABELS_POLICY, DEFAULT_POLICIES_POLICY].map(
        (name) => policyNamed(planLabelIntegrity(deny).policies, name).policy.spec.validations?.[0]?.message,
      );
      assert.match(namespaces ?? "", /networkArea and netseg\.dev\/\* labels of a namespace/);
      assert.match(policies ?? "", /default NetworkPolicies/);
    });

    it("writes any text as a CEL string literal that evaluates back to it", async () => {
      const text = fc.string({
        unit: fc.oneof(
          fc.constantFrom('"', "\\", "\n", "\r", "\t", "\u0000", "\u2028", "'", "/*"),
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
        ),
      });
      await fc.assert(
        fc.asyncProperty(text, async (value) => {
          assert.equal(await evaluateCel(celString(value)), value);
        }),
      );
    });
  });

  describe("as the API server would accept them", () => {
    it("compiles every expression where it is used", async () => {
      const guards = planLabelIntegrity(deny).policies;
      assert.equal(guards.length, GUARDS);
      for (const { policy } of guards) {
        assert.deepEqual(await compileProblems(policy), [], policy.metadata?.name);
      }
    });

    it("exempts nobody when no principal is configured, so audit mode shows the stack's own changes", async () => {
      const config = configWith((v) => (v.labelIntegrity.platformPrincipals = {}));
      const outcome = await decide(config, as(fixture("namespace-change-area"), DEPLOYER));
      assert.equal(outcome.allowed, true);
      assert.equal(outcome.audit.length, 1);
    });
  });
});

function namespaceUpdate(oldObject: unknown, object: unknown): AdmissionRequest {
  const meta = ((object ?? oldObject) as { metadata: { name: string } }).metadata;
  return {
    kind: { group: "", version: "v1", kind: "Namespace" },
    resource: { group: "", version: "v1", resource: "namespaces" },
    name: meta.name,
    operation: "UPDATE",
    userInfo: TENANT,
    object,
    oldObject,
  };
}

function policyRequest(
  operation: AdmissionRequest["operation"],
  oldObject: unknown,
  object: unknown,
): AdmissionRequest {
  const meta = ((object ?? oldObject) as { metadata: { name: string; namespace: string } }).metadata;
  return {
    kind: { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" },
    resource: { group: "networking.k8s.io", version: "v1", resource: "networkpolicies" },
    name: meta.name,
    namespace: meta.namespace,
    operation,
    userInfo: TENANT,
    object,
    oldObject,
  };
}
