/**
 * Taking a namespace out: dropped from config by mistake, it stays isolated; retired, it leaves its area and
 * is quarantined; once retired, it leaves the stack without stopping the update. What the cluster holds at
 * each step is decided with the evaluator; what the PR diff says is read from the rendered diff.
 */
import assert from "node:assert/strict";
import { type PlannedObjects, probeEstate } from "../../analysis/estate";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import type { RecordedResource } from "../../cli/offline";
import { diffMarkdown, diffResources, namespaceDepartures, type PlanDiff } from "../../cli/plan/diff";
import type { NetworkPolicy } from "../../core/k8s";
import { AREA_LABEL, ROLE_LABEL } from "../../core/labels";
import { type Endpoint, NetworkPolicyEvaluator } from "../../evaluator";
import { parseConfig } from "../../model/config";
import { ConfigError } from "../../model/issues";
import { rawConfigOf } from "../../model/stackFile";
import { POLICY_TYPE } from "../support/rollout";
import { devRun, editedConfig, runStack } from "../support/stack";
import { DEV } from "../support/stackCounts";

const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
const GONE = "payments";

const inNamespace = (r: RecordedResource, namespace: string) => {
  const metadata = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
  return metadata.namespace === namespace || (r.type === NAMESPACE_TYPE && metadata.name === namespace);
};

/** What the cluster still holds of `namespace` once Pulumi no longer declares it: what is retained. */
function leftBehind(resources: readonly RecordedResource[], namespace: string): RecordedResource[] {
  return resources.filter((r) => inNamespace(r, namespace) && r.options.retainOnDelete);
}

/** Every connection into or out of `namespace`'s pods that the estate allows, on the pods' port. */
function openConnections(raw: Record<string, string>, objects: PlannedObjects, namespace: string): string[] {
  const config = parseConfig(rawConfigOf(raw));
  const extra = [
    { namespace, name: "worker", labels: { app: "netseg-probe" }, ports: [{ containerPort: 8080 }] },
  ];
  const known = objects.namespaces.some(
    (ns) => ns.metadata?.labels?.[ROLE_LABEL] === "area" && ns.metadata.name === namespace,
  );
  // A namespace out of every area gets no stand-in pods: give it one.
  const { estate } = probeEstate(config, objects, known ? [] : extra);
  const pods = estate.pods;
  const evaluator = new NetworkPolicyEvaluator(estate);
  const endpoint = (pod: { namespace: string; name: string }): Endpoint => ({
    namespace: pod.namespace,
    pod: pod.name,
  });
  const inside = pods.filter((p) => p.namespace === namespace);
  assert.ok(inside.length > 0, `no pod in ${namespace}`);
  const open: string[] = [];
  for (const pod of inside) {
    for (const other of pods.filter((p) => p !== pod)) {
      for (const [from, to, port] of [
        [other, pod, 8080],
        [pod, other, (other.ports ?? [])[0]?.containerPort ?? 8080],
      ] as const) {
        const { verdict } = evaluator.probe({
          from: endpoint(from),
          to: endpoint(to),
          port,
          protocol: "TCP",
        });
        if (verdict === "allow")
          open.push(`${from.namespace}/${from.name} → ${to.namespace}/${to.name} ${port}`);
      }
    }
    const internet = evaluator.probe({
      from: endpoint(pod),
      to: { ip: "8.8.8.8" },
      port: 443,
      protocol: "TCP",
    });
    if (internet.verdict === "allow") open.push(`${pod.namespace}/${pod.name} → 8.8.8.8 443`);
  }
  return open;
}

const policiesIn = (resources: readonly RecordedResource[], namespace: string) =>
  resources.filter((r) => r.type === POLICY_TYPE && inNamespace(r, namespace));

describe("removing a namespace", function () {
  this.timeout(120_000);
  let dev: RecordedResource[];
  let droppedConfig: Record<string, string>;
  let dropped: RecordedResource[];
  let retiredConfig: Record<string, string>;
  let retired: RecordedResource[];
  before(async () => {
    dev = (await devRun()).resources;
    droppedConfig = editedConfig((v) => {
      delete v.namespaces[GONE];
    });
    dropped = (await runStack(droppedConfig)).resources;
    retiredConfig = editedConfig((v) => {
      v.namespaces[GONE] = { ...v.namespaces[GONE], retired: true };
    });
    retired = (await runStack(retiredConfig)).resources;
  });

  it("keeps every pod of a namespace dropped from config isolated", () => {
    // GIVEN payments dropped from the dev config: Pulumi forgets its resources, and the cluster keeps what
    // is retained (the namespace, with its labels, and whatever policy is retained with it)
    const kept = leftBehind(dev, GONE);
    assert.ok(kept.some((r) => r.type === NAMESPACE_TYPE));
    const objects = plannedObjects(manifestsOf([...dropped, ...kept]));
    // WHEN every connection into and out of its pods is decided
    // THEN none is allowed: the namespace is still labelled with its area, but its pods are isolated
    assert.deepEqual(openConnections(droppedConfig, objects, GONE), []);
  });

  it("retains only policies that deny, so nothing left behind opens a connection", () => {
    const retained = dev.filter((r) => r.type === POLICY_TYPE && r.options.retainOnDelete);
    assert.ok(retained.some((r) => inNamespace(r, GONE)));
    // Each area namespace's default-deny.
    assert.equal(retained.length, DEV.namespaces);
    for (const policy of retained) {
      const spec = (policy.inputs as unknown as NetworkPolicy).spec;
      assert.deepEqual([spec?.ingress ?? [], spec?.egress ?? []], [[], []], policy.urn);
    }
  });

  it("takes a retired namespace out of its area and quarantines it", () => {
    // GIVEN payments set retired
    const namespace = retired.find((r) => r.type === NAMESPACE_TYPE && r.name === GONE);
    assert.ok(namespace);
    const labels = (namespace.inputs.metadata as { labels: Record<string, string> }).labels;
    // THEN no label makes it a member of an area, and it can leave the stack without stopping the update
    assert.equal(labels[AREA_LABEL], undefined);
    assert.equal(labels[ROLE_LABEL], "retired");
    assert.deepEqual([namespace.options.protect, namespace.options.retainOnDelete], [false, true]);
    // AND its one policy, the retained default-deny, lets nothing in or out, vault and monitoring included
    const policies = policiesIn(retired, GONE);
    assert.deepEqual(
      policies.map((p) => [(p.inputs.metadata as { name: string }).name, p.options.retainOnDelete]),
      [["netseg-default-deny", true]],
    );
    const open = openConnections(retiredConfig, plannedObjects(manifestsOf(retired)), GONE);
    assert.deepEqual(open, []);
  });

  it("lets a retired namespace leave the stack deleting nothing in the cluster", async () => {
    // GIVEN payments retired, WHEN it is then dropped from config
    const removed = diffResources(retired, dropped).removed.filter((r) => inNamespace(r, GONE));
    // THEN what Pulumi drops is its namespace and quarantine, none protected and all retained
    assert.deepEqual(removed.map((r) => r.type).sort(), [NAMESPACE_TYPE, POLICY_TYPE]);
    assert.ok(removed.every((r) => !r.options.protect && r.options.retainOnDelete));
  });

  it("refuses a mesh phase for a retired namespace, which the mesh would leave alone", () => {
    const config = editedConfig((v) => {
      v.namespaces[GONE] = { ...v.namespaces[GONE], retired: true };
      v.mesh = { phase: "off", namespaces: { [GONE]: "strict" } };
    });
    assert.throws(
      () => parseConfig(rawConfigOf(config)),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        /segmentation:mesh\.namespaces\.payments: "strict" names "payments", which is retired \(segmentation:namespaces\.payments\.retired\), so the mesh leaves it alone; remove the entry, or set retired: false/.test(
          error.message,
        ),
    );
  });

  it("leaves a retired namespace out of a stack-wide mesh", () => {
    const config = parseConfig(
      rawConfigOf(
        editedConfig((v) => {
          v.namespaces[GONE] = { ...v.namespaces[GONE], retired: true };
          v.mesh = { phase: "migration" };
        }),
      ),
    );
    assert.equal(config.mesh.namespaces[GONE], undefined);
    assert.equal(config.mesh.namespaces.ebo, "migration");
  });

  describe("what the PR diff says", () => {
    const markdown = (base: RecordedResource[], head: RecordedResource[]) => {
      const diff: PlanDiff = {
        namespaces: namespaceDepartures(base, head),
        changes: [],
        lines: [],
        evaluated: 0,
        resources: diffResources(base, head),
      };
      return diffMarkdown(diff);
    };

    it("says that dropping an area namespace cuts it off and stops at the protected namespace", () => {
      const text = markdown(dev, dropped);
      assert.match(text, /#### Namespaces leaving their area or the stack/);
      assert.match(
        text,
        /`payments` leaves the stack while still in area backoffice: `pulumi preview` fails on the protected namespace, and an update run anyway deletes its allows and leaves `netseg-default-deny` in the cluster, which cuts every pod of payments off, then stops at the namespace/,
      );
      assert.match(text, /set `retired: true` on it first/);
      assert.match(
        text,
        /payments-netseg-default-deny` \(retained: it stays in the cluster, out of the stack\)/,
      );
    });

    it("says what retiring does", () => {
      assert.deepEqual(namespaceDepartures(dev, retired), [
        "`payments` is retired from area backoffice: it loses its `networkArea` label and every allow, and `netseg-default-deny` quarantines its pods (nothing in or out but what contracts the service still deploys there allow) until the namespace is deleted. No other namespace, tool or controller treats it as part of an area any more.",
      ]);
    });

    it("says that a retired namespace leaves the stack but not the cluster", () => {
      assert.deepEqual(namespaceDepartures(retired, dropped), [
        "`payments` (retired) leaves the stack: Pulumi forgets the namespace and its quarantine policy, and both stay in the cluster until the namespace is deleted.",
      ]);
    });

    it("says nothing of namespaces that stay", () => {
      assert.deepEqual(namespaceDepartures(dev, dev), []);
    });
  });
});
