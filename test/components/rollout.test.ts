/**
 * No state a rollout passes through denies what the design allows. For each namespace (areas, tools, ingress
 * controllers), every set of its policies the declared dependencies let the engine hold at once is put in
 * the plan in place of the namespace's final policies, and every cell of the design is decided over it by
 * the evaluator.
 *
 * One namespace at a time suffices: a connection needs egress from its source's namespace and ingress to its
 * destination's, each decided by the policies of that namespace alone. A state of the whole cluster denies a
 * connection only if the state of one of those two namespaces does.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkDesign } from "../../analysis/design";
import type { PlannedObjects } from "../../analysis/estate";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import type { OfflineRun } from "../../cli/offline";
import { AREAS } from "../../model/areas";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { controllerIdentity } from "../../model/controllers";
import { type PolicySpec, toNetworkPolicy } from "../../model/policy";
import { rawConfigOf } from "../../model/stackFile";
import { type DeployedPolicy, deployedPolicies, intermediateStates } from "../support/rollout";
import { devConfig, devRun, editedConfig, ROOT, runStack } from "../support/stack";

type Run = OfflineRun<unknown>;

interface Stack {
  config: SegmentationConfig;
  run: Run;
  objects: PlannedObjects;
}

async function stackOf(raw: Record<string, string>, run?: Run): Promise<Stack> {
  const done = run ?? (await runStack(raw));
  return {
    config: parseConfig(rawConfigOf(raw)),
    run: done,
    objects: plannedObjects(manifestsOf(done.resources)),
  };
}

/** The plan with `namespace` holding `policies` instead of its own. */
function withPolicies(
  objects: PlannedObjects,
  namespace: string,
  policies: DeployedPolicy[],
): PlannedObjects {
  return {
    ...objects,
    policies: [
      ...objects.policies.filter((p) => p.metadata?.namespace !== namespace),
      ...policies.map((p) => p.manifest),
    ],
  };
}

/** `from → to port/protocol` of every cell each design allows and `objects` deny. */
function deniedOfAllowed(designs: SegmentationConfig[], objects: PlannedObjects): string[] {
  const reports = designs.map((config) => checkDesign(config, objects));
  const key = (c: { from: string; to: string; port: number; protocol: string }) =>
    `${c.from} → ${c.to} ${c.port}/${c.protocol}`;
  const allowedBy = reports.map(
    (report) => new Set([...report.expandCells()].filter((c) => c.expected === "allow").map(key)),
  );
  return [...reports[0]!.expandCells()]
    .filter((c) => c.actual === "deny" && allowedBy.every((allowed) => allowed.has(key(c))))
    .map(key);
}

/** Each state of `namespace` between the two stacks, named by its policies, with what it wrongly denies. */
function brokenStates(
  from: Stack | undefined,
  to: Stack,
  namespace: string,
  policies = deployedPolicies,
): string[] {
  const before = from ? policies(from.run.resources, namespace) : [];
  const designs = from ? [from.config, to.config] : [to.config];
  return brokenStatesFrom(before, designs, to, namespace, policies);
}

/** The same, from policies the cluster holds (`before`) that satisfy every one of `designs`. */
function brokenStatesFrom(
  before: DeployedPolicy[],
  designs: SegmentationConfig[],
  to: Stack,
  namespace: string,
  policies = deployedPolicies,
): string[] {
  const after = policies(to.run.resources, namespace);
  const states = intermediateStates(before, after);
  assert.ok(states.length > after.length, `${namespace}: ${states.length} states`);
  // A flow the deployed state already denied is not cut by the change: the change opens it at its end.
  const deniedBefore = new Set(
    before.length > 0 ? deniedOfAllowed(designs, withPolicies(to.objects, namespace, before)) : [],
  );
  return states.flatMap((state) => {
    const denied = deniedOfAllowed(designs, withPolicies(to.objects, namespace, state)).filter(
      (cell) => !deniedBefore.has(cell),
    );
    const names = state.map((p) => p.manifest.metadata?.name).sort();
    return denied.length > 0 ? [`${namespace} holding [${names.join(", ")}]: denies ${denied[0]}`] : [];
  });
}

describe("rollout: every state the dependency order permits", function () {
  this.timeout(600_000);
  let dev: Stack;
  before(async () => {
    dev = await stackOf(devConfig(), (await devRun()) as Run);
  });

  it("denies nothing the design allows during a first rollout of dev", () => {
    // GIVEN no policies yet, WHEN each area namespace's policies arrive in any order the dependencies permit
    const broken = dev.config.namespaces.flatMap((ns) => brokenStates(undefined, dev, ns.name));
    // THEN every state lets through all the design allows
    assert.deepEqual(broken, []);
  });

  it("denies nothing the design allows while the tools' and the controllers' namespaces get their policies", () => {
    // GIVEN no policies yet, WHEN monitoring, vault and each ingress-<area> namespace get theirs in any order
    // the dependencies permit
    const namespaces = [
      dev.config.tools.monitoring.namespace,
      dev.config.tools.vault.namespace,
      ...AREAS.map((area) => controllerIdentity(area).namespace),
    ];
    for (const namespace of namespaces) assert.ok(deployedPolicies(dev.run.resources, namespace).length >= 3);
    const broken = namespaces.flatMap((namespace) => brokenStates(undefined, dev, namespace));
    // THEN every state lets through all the design allows: monitoring's scrapes, the areas' calls to Vault,
    // the controllers' traffic in and their DNS, API and backend calls out
    assert.deepEqual(broken, []);
  });

  it("denies nothing both phases allow while a namespace switches to strict", async () => {
    // GIVEN payments in migration (dev), WHEN it switches to strict
    const strict = await stackOf(
      editedConfig((v) => {
        v.namespaces.payments = { ...v.namespaces.payments, phase: "strict" };
      }),
    );
    // THEN no state on the way denies what both the migration and the strict design allow
    assert.deepEqual(brokenStates(dev, strict, "payments"), []);
  });

  it("denies nothing both phases allow while a namespace goes back to migration", async () => {
    // GIVEN query-services in strict (dev), WHEN it goes back to migration
    const migration = await stackOf(
      editedConfig((v) => {
        v.namespaces["query-services"] = { ...v.namespaces["query-services"], phase: "migration" };
      }),
    );
    assert.deepEqual(brokenStates(dev, migration, "query-services"), []);
  });

  it("denies nothing the design allows while a stack deployed with six policies per namespace moves to four", () => {
    // GIVEN payments (migration) and query-services (strict) as deployed with one allow per purpose
    // (test/fixtures/state/dev-area-policies-v1.json, planned from the dev stack by that layout)
    const earlier = JSON.parse(
      readFileSync(join(ROOT, "test/fixtures/state/dev-area-policies-v1.json"), "utf8"),
    ) as PolicySpec[];
    for (const namespace of ["payments", "query-services"]) {
      const now = deployedPolicies(dev.run.resources, namespace);
      const urnOf = (resourceName: string) => now[0]!.urn.replace(/::[^:]+$/, `::${resourceName}`);
      const before = earlier
        .filter((p) => p.namespace === namespace)
        .map(
          (p): DeployedPolicy => ({
            urn: urnOf(p.resourceName),
            manifest: toNetworkPolicy(p),
            after: p.after.map(urnOf),
          }),
        );
      assert.equal(before.length, 6);
      // THEN the egress allow and the default-deny are updated in place, the four other allows removed
      const kept = before
        .filter((p) => now.some((q) => q.urn === p.urn))
        .map((p) => p.manifest.metadata?.name);
      assert.deepEqual(kept.sort(), ["netseg-allow-egress", "netseg-default-deny"]);
      // AND no state on the way, the deletions at the end included, denies what the design allows
      assert.deepEqual(brokenStatesFrom(before, [dev.config], dev, namespace), []);
    }
  });

  it("finds the state that cuts traffic when an allow does not wait for the narrower one", () => {
    // GIVEN the dependencies without the every-pod ingress allow waiting for the endpoint pods' allow
    const unordered: typeof deployedPolicies = (resources, namespace) =>
      deployedPolicies(resources, namespace).map((p) =>
        p.manifest.metadata?.name === "netseg-allow-ingress" ? { ...p, after: [] } : p,
      );
    // WHEN the strict namespace's first rollout is enumerated
    const broken = brokenStates(undefined, dev, "query-services", unordered);
    // THEN the state holding the every-pod allow alone denies what the endpoint pods must accept
    assert.ok(
      broken.some((b) => /holding \[netseg-allow-ingress\]: denies \S+ → query-services\/endpoint/.test(b)),
      broken.join("\n"),
    );
  });
});
