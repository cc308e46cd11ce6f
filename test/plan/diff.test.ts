import assert from "node:assert/strict";
import { opensAnything } from "../../analysis/diff";
import { probeEstate } from "../../analysis/estate";
import { externalDestinations } from "../../analysis/expectations";
import { portText, reachabilityOf } from "../../analysis/reachability";
import { diffMarkdown, diffPlans, type PlanDiff } from "../../cli/plan/diff";
import { type Plan, planObjects } from "../../cli/plan/plan";
import { NetworkPolicyEvaluator } from "../../evaluator";
import { devPlan, MOVED, movedPlan } from "./plans";

/**
 * Every cell (source pod, destination pod or VPC, port) whose verdict differs between the plans, decided
 * pair by pair with `probe()` on each plan's own estate: independent of the matrix the diff reads.
 */
function changedCells(base: Plan, head: Plan): Set<string> {
  const decide = (plan: Plan) => {
    const { estate, pods } = probeEstate(plan.config, planObjects(plan));
    const evaluator = new NetworkPolicyEvaluator(estate);
    const verdicts = new Map<string, string>();
    const vpcs = externalDestinations(plan.config).flatMap((d) => (d.kind === "vpc" ? [d] : []));
    for (const from of pods) {
      const source = { namespace: from.namespace, pod: from.name };
      for (const to of pods) {
        if (to === from) continue;
        for (const port of to.ports ?? []) {
          const protocol = port.protocol ?? "TCP";
          const { verdict } = evaluator.probe({
            from: source,
            to: { namespace: to.namespace, pod: to.name },
            port: port.containerPort,
            protocol,
          });
          verdicts.set(
            `${from.namespace}/${from.name} → ${to.namespace}/${to.name} ${port.containerPort}/${protocol}`,
            verdict,
          );
        }
      }
      for (const vpc of vpcs) {
        const { verdict } = evaluator.probe({ from: source, to: { ip: vpc.ip }, port: 443 });
        verdicts.set(`${from.namespace}/${from.name} → vpc:${vpc.vpc} 443/TCP`, verdict);
      }
    }
    return verdicts;
  };
  const before = decide(base);
  const after = decide(head);
  const cells = new Set<string>();
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if ((before.get(key) ?? "deny") !== (after.get(key) ?? "deny")) cells.add(key);
  }
  return cells;
}

/** The same cells as the diff lists them: each port that one plan reaches and the other does not. */
function listedCells(diff: PlanDiff, keep: (cell: string) => boolean): Set<string> {
  const cells = new Set<string>();
  for (const line of diff.lines) {
    for (const change of line.changes) {
      const before = new Set(change.before.map(portText));
      const after = new Set(change.after.map(portText));
      for (const port of new Set([...before, ...after])) {
        if (before.has(port) === after.has(port)) continue;
        const cell = `${change.from} → ${change.to} ${port}`;
        assert.ok(!cells.has(cell), `${cell} is listed twice`);
        cells.add(cell);
      }
    }
  }
  return new Set([...cells].filter(keep));
}

describe("netseg diff between two plans", () => {
  let dev: Plan;
  let moved: Plan;
  let diff: PlanDiff;
  before(async () => {
    dev = await devPlan();
    moved = await movedPlan();
    const side = (plan: Plan) => ({
      reachability: reachabilityOf(plan.config, planObjects(plan)),
      resources: plan.resources,
    });
    diff = diffPlans(side(dev), side(moved));
  });

  it(`lists exactly the connections that change when ${MOVED.namespace} moves to ${MOVED.to}`, () => {
    const expected = changedCells(dev, moved);
    assert.ok(expected.size > 20, `${expected.size} cells changed`);
    // The reasons the move changes anything, spelled out.
    assert.ok(expected.has(`email-service/worker → ${MOVED.namespace}/worker 8080/TCP`));
    assert.ok(expected.has(`${MOVED.namespace}/worker → payments/endpoint 8080/TCP`));
    assert.ok(expected.has(`${MOVED.namespace}/worker → vpc:natonly 443/TCP`));
    const podOrVpc = (cell: string) => / → [^ ]+\/[^ ]+ |→ vpc:[^ ]+ 443\/TCP$/.test(cell);
    assert.deepEqual([...listedCells(diff, podOrVpc)].sort(), [...expected].sort());
  });

  it("collapses a namespace's stand-in pods that change alike, and groups lines by area", () => {
    const markdown = diffMarkdown(diff);
    const line = diff.lines.find((l) => l.from === "email-service/*" && l.to === `${MOVED.namespace}/*`);
    assert.ok(line, "email-service → sherlock is one line");
    assert.equal(line.kind, "closed");
    assert.equal(line.groups, `${MOVED.from} → ${MOVED.to}`);
    assert.equal(line.changes.length, 4);
    assert.ok(diff.lines.every((l) => markdown.includes(`\`${l.from}\` → \`${l.to}\``)));
    assert.ok(markdown.indexOf("**Opened**") < markdown.indexOf("**Closed**"));
    assert.ok(markdown.indexOf("#### Connections") < markdown.indexOf("#### Resources"));
    assert.match(markdown, new RegExp(`\\*${MOVED.from} → ${MOVED.to}\\*`));
  });

  it("says that something opened", () => {
    assert.equal(opensAnything(diff), true);
    assert.ok(diff.lines.some((l) => l.kind === "opened"));
  });

  it("names the namespace's label change and adds or removes no resource", () => {
    assert.deepEqual(diff.resources.added, []);
    assert.deepEqual(diff.resources.removed, []);
    const namespace = diff.resources.changed.find(
      (c) => c.type === "kubernetes:core/v1:Namespace" && c.urn.endsWith(`::${MOVED.namespace}`),
    );
    assert.deepEqual(namespace?.paths, ["inputs.metadata.labels.networkArea"]);
    // Its Namespace and its four default policies change; nothing else does.
    assert.equal(diff.resources.changed.length, 1 + 4);
    assert.ok(diff.resources.changed.every((c) => c.urn.includes(MOVED.namespace)));
  });

  it("finds nothing between a plan and itself", () => {
    const side = { reachability: reachabilityOf(dev.config, planObjects(dev)), resources: dev.resources };
    const same = diffPlans(side, side);
    assert.deepEqual(same.changes, []);
    assert.equal(opensAnything(same), false);
    assert.match(diffMarkdown(same), /No connection opens, closes or changes ports/);
  });
});
