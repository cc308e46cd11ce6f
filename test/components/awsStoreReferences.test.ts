/**
 * Security-group references between a store's group and its clients' groups, as the AWS program declares
 * them. AWS accepts a reference to a peer VPC's group only in the same Region, over an active peering, and
 * as `<account>/<group>` when the group is in another account
 * (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html).
 */
import assert from "node:assert/strict";
import type { RecordedResource } from "../../cli/offline";
import { parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { devConfig, devRun } from "../support/stack";

type Run = Awaited<ReturnType<typeof devRun>>;

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const GROUP = "aws:ec2/securityGroup:SecurityGroup";
const ACCEPTER = "segmentation:aws:VpcPeeringAccepter";

const CLUSTER_ACCOUNT = "111111111111";
const LEGACY_ACCOUNT = "222222222222";
const LEGACY_PROVIDER = "aws-provider-legacy-eu-west-1";

const idOf = (r: RecordedResource) => `mock::${r.type}::${r.name}`;
const one = (run: Run, type: string, name: string) => {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}: ${found.length} declared`);
  return found[0]!;
};
/** The peering accepters a resource waits for, by peer VPC: dependsOn a component waits for its children. */
const peeringsAwaited = (r: RecordedResource) =>
  [
    ...new Set(
      r.options.dependsOn.flatMap((urn) => {
        const match = new RegExp(
          `${ACCEPTER.replace(/[$:]/g, "\\$&")}\\$.*::aws-peering-([a-z0-9-]+?)-accepter-`,
        ).exec(urn);
        return match ? [match[1]!] : [];
      }),
    ),
  ].sort();
/** Whether a rule is declared through the legacy account's provider, so it is created in that account. */
const inLegacyAccount = (r: RecordedResource) => r.provider?.includes(`::${LEGACY_PROVIDER}::`) ?? false;

describe("store and client groups reference each other as AWS expects", () => {
  let run: Run;
  before(async () => {
    run = await devRun();
  });

  it("admits the client group to a store in another account as <cluster account>/<group>, from the store's account", () => {
    // GIVEN sepa-db in natonly, a VPC of the legacy account (222222222222), and its client sepa-core
    const rule = one(run, INGRESS, "aws-store-sepa-db-client-sepa-core-port-0");
    const group = one(run, GROUP, "aws-client-sepa-core-group");
    // THEN the rule is on the store's group, created in the legacy account, and names the cluster's account
    assert.equal(rule.inputs.securityGroupId, "sg-0c33d4e5f6a7b8002");
    assert.ok(inLegacyAccount(rule), rule.provider);
    assert.equal(rule.inputs.referencedSecurityGroupId, `${CLUSTER_ACCOUNT}/${idOf(group)}`);
    assert.equal(rule.inputs.cidrIpv4, undefined);
    // AND it waits for the peering's acceptance: before it the reference does not resolve
    assert.deepEqual(peeringsAwaited(rule), ["natonly"]);
    assert.ok(rule.options.dependsOn.some((urn) => urn.endsWith("::aws-peering-natonly-accepter-accept")));
  });

  it("lets the client group out to a store in another account as <store account>/<group>, from the cluster's", () => {
    const rule = one(run, EGRESS, "aws-client-sepa-core-sepa-db-port-0");
    assert.ok(!inLegacyAccount(rule), rule.provider);
    assert.equal(rule.inputs.referencedSecurityGroupId, `${LEGACY_ACCOUNT}/sg-0c33d4e5f6a7b8002`);
    assert.deepEqual([rule.inputs.fromPort, rule.inputs.toPort, rule.inputs.ipProtocol], [5432, 5432, "tcp"]);
    assert.ok(rule.options.dependsOn.some((urn) => urn.endsWith("::aws-peering-natonly-accepter-accept")));
  });

  it("references groups of a peered VPC in the cluster's account by their bare id, after the peering", () => {
    // GIVEN api-db in publicfrontal, peered and in the cluster's account
    const ingress = one(run, INGRESS, "aws-store-api-db-client-api-port-0");
    const egress = one(run, EGRESS, "aws-client-api-api-db-port-0");
    assert.equal(ingress.inputs.referencedSecurityGroupId, idOf(one(run, GROUP, "aws-client-api-group")));
    assert.equal(egress.inputs.referencedSecurityGroupId, "sg-0b22c3d4e5f6a7001");
    assert.deepEqual(peeringsAwaited(ingress), ["publicfrontal"]);
    assert.deepEqual(peeringsAwaited(egress), ["publicfrontal"]);
  });

  it("names the account exactly when the referenced group is in another account than the rule", () => {
    // GIVEN every client reference of dev: one ingress and one egress rule per store, client and port
    const config = parseConfig(rawConfigOf(devConfig()));
    const expected = config.dataStores
      .filter((store) => store.openFromCluster)
      .reduce((sum, store) => sum + store.clients.length * store.ports.length, 0);
    const ingress = run.resources.filter(
      (r) => r.type === INGRESS && /^aws-store-.*-client-/.test(r.name) && r.inputs.referencedSecurityGroupId,
    );
    const egress = run.resources.filter((r) => r.type === EGRESS && r.name.startsWith("aws-client-"));
    assert.equal(expected, 14);
    assert.equal(ingress.length, expected);
    assert.equal(egress.length, expected);
    // THEN an ingress rule names the cluster's account exactly when it lives in the legacy account
    for (const rule of ingress) {
      const reference = String(rule.inputs.referencedSecurityGroupId);
      assert.equal(reference.startsWith(`${CLUSTER_ACCOUNT}/mock::`), inLegacyAccount(rule), rule.name);
      // the mock's ids carry a "/" of their own: a bare reference is the group's id itself
      if (!inLegacyAccount(rule)) assert.ok(reference.startsWith("mock::"), `${rule.name}: ${reference}`);
    }
    // AND an egress rule (always in the cluster's account) names the legacy account exactly for natonly stores
    const natonly = new Set(
      config.dataStores.filter((s) => s.vpc === "natonly").map((s) => s.securityGroupId),
    );
    assert.ok(natonly.size >= 3);
    for (const rule of egress) {
      const reference = String(rule.inputs.referencedSecurityGroupId);
      const [account, group] = reference.includes("/") ? reference.split("/") : [undefined, reference];
      assert.equal(account, natonly.has(group!) ? LEGACY_ACCOUNT : undefined, rule.name);
      assert.match(group!, /^sg-[0-9a-f]{17}$/);
    }
  });

  it("waits for no peering when the store is in the cluster's own VPC", () => {
    // account-details-db is in backoffice, the cluster's VPC
    assert.deepEqual(
      peeringsAwaited(one(run, INGRESS, "aws-store-account-details-db-client-account-details-port-0")),
      [],
    );
    assert.deepEqual(
      peeringsAwaited(one(run, EGRESS, "aws-client-account-details-account-details-db-port-0")),
      [],
    );
  });
});
