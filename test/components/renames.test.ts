/**
 * What an existing stack sees when the code or the config changes: the URNs the engine would diff, with the
 * aliases that carry old names over. A protected resource whose URN disappears fails `pulumi up` (Pulumi
 * will not delete it); one whose URN stays but whose replace-only input changes fails the same way.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedResource } from "../../cli/offline";
import { devConfig, openStoresConfig, openStoresRun, ROOT, runStack } from "../support/stack";
import { DEV } from "../support/stackCounts";

type Run = Awaited<ReturnType<typeof runStack>>;

/**
 * Inputs the providers cannot update in place: a change replaces the resource. For the AWS resources these
 * are the ForceNew attributes of the Terraform AWS provider that Pulumi's AWS provider bridges (a route's
 * destination and table; a rule's group; a peering's two VPCs); a Namespace is replaced when its name changes.
 */
const REPLACE_ON_CHANGE: Record<string, readonly string[]> = {
  "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ["vpcId", "peerVpcId", "peerOwnerId", "peerRegion"],
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": ["vpcPeeringConnectionId"],
  "kubernetes:core/v1:Namespace": ["metadata.name"],
  "aws:ec2/securityGroup:SecurityGroup": ["vpcId", "name", "description"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
};

function field(resource: RecordedResource, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], resource.inputs);
}

/** The resource of `after` that is `urn` in the engine's eyes: the same URN, or an alias of it. */
function successorOf(after: Run, urn: string): RecordedResource | undefined {
  return (
    after.resources.find((r) => r.urn === urn) ?? after.resources.find((r) => r.options.aliases.includes(urn))
  );
}

/** Protected resources of `before` that `after` would replace or try to delete, with why. */
function protectedReplacements(before: Run, after: Run): string[] {
  const problems: string[] = [];
  const protectedBefore = before.resources.filter((r) => r.options.protect);
  // Every namespace is protected, so a run without them would pass with nothing checked.
  assert.ok(protectedBefore.length > DEV.namespaces, `${protectedBefore.length} protected resources`);
  for (const old of protectedBefore) {
    const next = successorOf(after, old.urn);
    if (!next) {
      problems.push(`${old.urn}: gone (Pulumi would try to delete a protected resource)`);
      continue;
    }
    for (const path of REPLACE_ON_CHANGE[old.type] ?? []) {
      if (JSON.stringify(field(old, path)) !== JSON.stringify(field(next, path))) {
        problems.push(`${old.urn}: ${path} changes, which replaces it`);
      }
    }
  }
  return problems;
}

/** The dev stack with its second pod range resized and bos-db moved to another port. */
function changedConfig() {
  return openStoresConfig((v) => {
    v.cluster.cidrs = ["10.20.0.0/19", "10.20.32.0/20"];
    const store = v.dataStores.find((s: { name: string }) => s.name === "bos-db");
    store.port = 5433;
  });
}

describe("renames: what an existing stack sees", () => {
  let dev: Run;
  let changed: Run;
  before(async () => {
    dev = await openStoresRun();
    changed = await runStack(changedConfig());
  });

  it("adopts every AWS resource a stack deployed with the earlier value-based names holds", () => {
    // GIVEN the URNs of dev's AWS resources under the earlier names (embedding CIDRs and ports)
    const deployed: string[] = JSON.parse(
      readFileSync(join(ROOT, "test/fixtures/state/dev-aws-urns-v1.json"), "utf8"),
    );
    assert.equal(deployed.length, 69);
    // THEN each one is a resource of today's plan, by its URN or by an alias, and no two claim the same one
    const claimed = new Map<string, string[]>();
    for (const urn of deployed) {
      const claimants = dev.resources.filter((r) => r.urn === urn || r.options.aliases.includes(urn));
      claimed.set(
        urn,
        claimants.map((r) => r.urn),
      );
    }
    const orphans = deployed.filter((urn) => claimed.get(urn)?.length === 0);
    assert.deepEqual(orphans, []);
    const shared = deployed.filter((urn) => (claimed.get(urn)?.length ?? 0) > 1);
    assert.deepEqual(shared, []);
    // AND the renamed ones are exactly those whose names held a CIDR or a port
    const renamed = deployed.filter((urn) => !dev.resources.some((r) => r.urn === urn));
    // 19 routes, 32 store rules (16 stores × 2 pod ranges) and 8 NAT rules (one per load balancer port)
    assert.equal(renamed.length, 19 + 32 + 8);
  });

  it("changes no URN when a pod range and a store's port change", () => {
    const urns = (run: Run) => run.resources.map((r) => r.urn).sort();
    assert.ok(dev.resources.length > 250);
    assert.deepEqual(urns(changed), urns(dev));
  });

  it("replaces no protected resource when a pod range and a store's port change", () => {
    const guarded = dev.resources.filter((r) => r.options.protect);
    // 3 peerings, 1 acceptance, 32 store rules, and every managed namespace
    assert.ok(guarded.length >= 36 + 20, `${guarded.length} protected`);
    assert.deepEqual(protectedReplacements(dev, changed), []);
  });

  it("updates the store rules in place with the new range and port", () => {
    const ofStore = (run: Run, store: string) =>
      run.resources
        .filter((r) => r.name.startsWith(`aws-store-${store}-`) && r.custom)
        .map((r) => `${r.name} ${r.inputs.cidrIpv4} ${r.inputs.fromPort}`)
        .sort();
    assert.deepEqual(ofStore(changed, "bos-db"), [
      "aws-store-bos-db-pod-range-0-port-0 10.20.0.0/19 5433",
      "aws-store-bos-db-pod-range-1-port-0 10.20.32.0/20 5433",
    ]);
    assert.deepEqual(ofStore(dev, "bos-db"), [
      "aws-store-bos-db-pod-range-0-port-0 10.20.0.0/19 5432",
      "aws-store-bos-db-pod-range-1-port-0 10.20.32.0/19 5432",
    ]);
  });

  it("would have replaced 22 protected resources under the earlier names (the check itself bites)", () => {
    // GIVEN today's plans put back to the earlier value-based names, without aliases, routes protected
    const earlier = (run: Run): Run => ({
      ...run,
      resources: run.resources.map((r) => {
        const old = r.options.aliases[0];
        const protect = r.options.protect || r.type === "aws:ec2/route:Route";
        return { ...r, urn: old ?? r.urn, options: { ...r.options, protect, aliases: [] } };
      }),
    });
    // THEN the change loses 16 store rules on the resized range, bos-db's rule on the other range, and the
    // 5 routes back to the resized range in the peers' route tables
    const problems = protectedReplacements(earlier(dev), earlier(changed));
    assert.equal(problems.length, 16 + 1 + 5, problems.join("\n"));
  });
});

/**
 * One store's rollout, as the README gives it: ebo-db open as deployed before (A), then naming its clients
 * (B), then in clients phase (C). Every other store stays as it was.
 */
describe("renames: a data store's rollout from open to clients", () => {
  const rollout = (step: "A" | "B" | "C") =>
    openStoresConfig((v) => {
      if (step === "A") return;
      v.storeAccess = JSON.parse(devConfig()["segmentation:storeAccess"]!);
      Object.assign(
        v.dataStores.find((s: { name: string }) => s.name === "ebo-db"),
        { clients: [{ namespace: "ebo" }], subnets: ["10.20.96.0/28", "10.20.97.0/28"] },
        step === "C" ? { phase: "clients" } : {},
      );
    });
  let a: Run;
  let b: Run;
  let c: Run;
  before(async () => {
    a = await runStack(rollout("A"));
    b = await runStack(rollout("B"));
    c = await runStack(rollout("C"));
  });
  const urns = (run: Run) => new Set(run.resources.map((r) => r.urn));
  const gone = (before: Run, after: Run) => [...urns(before)].filter((urn) => !urns(after).has(urn)).sort();
  const eboRanges = (run: Run) =>
    run.resources
      .filter((r) => r.name.startsWith("aws-store-ebo-db-pod-range-"))
      .map((r) => r.options.protect);

  it("naming the clients adds the client's group and rule, removes nothing, and unprotects the pod-range rules", () => {
    assert.deepEqual(protectedReplacements(a, b), []);
    assert.deepEqual(gone(a, b), []);
    assert.deepEqual(eboRanges(a), [true, true]);
    assert.deepEqual(eboRanges(b), [false, false]);
    assert.ok(b.resources.some((r) => r.name === "aws-store-ebo-db-client-ebo-port-0" && r.options.protect));
  });

  it("moving to clients phase deletes only the store's two unprotected pod-range rules", () => {
    assert.deepEqual(protectedReplacements(b, c), []);
    assert.deepEqual(
      gone(b, c).map((urn) => urn.split("::").pop()),
      ["aws-store-ebo-db-pod-range-0-port-0", "aws-store-ebo-db-pod-range-1-port-0"],
    );
  });

  it("refuses to skip the step that names the clients: Pulumi would delete protected rules (the check bites)", () => {
    const problems = protectedReplacements(a, c);
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.ok(problems.every((p) => /ebo-db-pod-range-\d-port-0: gone/.test(p)));
  });
});
