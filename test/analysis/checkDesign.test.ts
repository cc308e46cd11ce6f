import assert from "node:assert/strict";
import { checkDesign } from "../../analysis/design";
import { type Manifest, manifestsOf, plannedObjects } from "../../cli/manifests";
import type { NetworkPolicy } from "../../core/k8s";
import { isClusterTierObject } from "../../evaluator";
import { parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { devConfig, devRun, editedConfig, runStack, withoutCni } from "../support/stack";

/** A copy of the plan with sherlock's every-pod ingress allow widened to every namespace. */
function widenSherlock(manifests: readonly Manifest[]): Manifest[] {
  const tampered = structuredClone([...manifests]);
  const allow = tampered.find(
    (m) =>
      m.kind === "NetworkPolicy" &&
      m.metadata.namespace === "sherlock" &&
      m.metadata.name === "netseg-allow-ingress",
  ) as unknown as NetworkPolicy;
  allow.spec!.ingress = [{ from: [{ namespaceSelector: {} }] }];
  return tampered;
}

describe("checking a plan against the design", () => {
  let manifests: Manifest[];
  const config = () => parseConfig(rawConfigOf(devConfig()));
  before(async () => {
    manifests = manifestsOf((await devRun()).resources);
  });

  it("finds the dev stack's policies true to every section of the design", () => {
    const report = checkDesign(config(), plannedObjects(manifests));
    assert.deepEqual(report.violations, []);
    const sections = new Set(report.groups.map((cell) => cell.section));
    assert.deepEqual([...sections].sort(), ["controllers", "dns", "egress", "ingress", "tools"]);
    assert.ok(
      report.groups.some((cell) => cell.expected === "deny") &&
        report.groups.some((c) => c.expected === "allow"),
    );
  });

  it("names the broken rule, what was expected and the policy that decided, when a policy is wrong", async () => {
    // GIVEN dev in NetworkPolicy mode, whose namespace policies hold every boundary alone, with sherlock's
    // every-pod ingress allow widened to every namespace
    const alone = editedConfig(withoutCni);
    const withoutTier = widenSherlock(manifestsOf((await runStack(alone)).resources));
    assert.equal(withoutTier.filter(isClusterTierObject).length, 0);
    // WHEN it is checked
    const { violations } = checkDesign(parseConfig(rawConfigOf(alone)), plannedObjects(withoutTier));
    // THEN the pods of namespaces without an area (the stranger's, and DNS's) now reach both of sherlock's
    // stand-in pods, and each cell is named; the controllers' own egress still keeps them out
    assert.deepEqual(violations.map((v) => `${v.from} → ${v.to}`).sort(), [
      "default/stranger → sherlock/endpoint",
      "default/stranger → sherlock/worker",
      "kube-system/coredns → sherlock/endpoint",
      "kube-system/coredns → sherlock/worker",
    ]);
    const stranger = violations.find((v) => v.from === "default/stranger" && v.to === "sherlock/worker");
    assert.ok(stranger, JSON.stringify(violations.slice(0, 3)));
    assert.equal(stranger.expected, "deny");
    assert.equal(stranger.actual, "allow");
    assert.match(stranger.rule, /namespaces without an area are denied/);
    assert.match(stranger.decidedBy, /sherlock\/netseg-allow-ingress\b/);
    assert.ok(violations.every((v) => v.to.startsWith("sherlock/")));
    // AND with dev's cluster tier in place, the same widening opens none of it: the Admin tier denies it first
    const tampered = widenSherlock(manifests);
    assert.ok(tampered.some(isClusterTierObject));
    assert.deepEqual(checkDesign(config(), plannedObjects(tampered)).violations, []);
  });

  it("reports the controllers cut off from DNS when their DNS rule is missing", () => {
    // Area namespaces still reach CoreDNS through their egress to the cluster's pod ranges; the controllers'
    // egress names its peers, so without the DNS rule they lose name resolution.
    const withoutDns = structuredClone(manifests).map((m) => {
      if (m.kind !== "NetworkPolicy" || !m.metadata.namespace?.startsWith("ingress-")) return m;
      const spec = (m as unknown as NetworkPolicy).spec;
      if (spec) spec.egress = spec.egress?.filter((rule) => !rule.ports?.some((port) => port.port === 53));
      return m;
    });
    const { violations } = checkDesign(config(), plannedObjects(withoutDns));
    assert.deepEqual(
      violations.map((v) => `${v.section} ${v.from} → ${v.to} ${v.port}/${v.protocol}`).sort(),
      ["backoffice", "internalservices", "publicfrontal"].map(
        (area) => `controllers ingress-${area}/controller → kube-system/coredns 53/UDP`,
      ),
    );
    assert.ok(violations.every((v) => v.expected === "allow" && /netseg-default-deny/.test(v.decidedBy)));
  });
});
