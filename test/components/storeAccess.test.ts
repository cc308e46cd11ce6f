import assert from "node:assert/strict";
import type { RecordedResource } from "../../cli/offline";
import { devRun, editedConfig, runStack } from "../support/stack";

type Run = Awaited<ReturnType<typeof runStack>>;
type Values = Record<string, any>;

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SGP = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy";

const storeRules = (run: Run, store: string) =>
  run.resources.filter((r) => r.type === INGRESS && r.name.startsWith(`aws-store-${store}-`));
const groupOf = (run: Run, key: string) =>
  run.resources.find((r) => r.type === GROUP && r.name === `aws-client-${key}-group`);
const idOf = (r: RecordedResource) => `mock::${r.type}::${r.name}`;

describe("store clients on the AWS side (dev: account-details-db in clients phase)", () => {
  let run: Run;
  before(async () => {
    run = await devRun();
  });

  it("admits only the client group to a store in clients phase: no pod-range rule is left", () => {
    // GIVEN dev, where account-details-db names the account-details namespace and is in clients phase
    const group = groupOf(run, "account-details");
    assert.ok(group, "no client group for account-details");
    // THEN its only rule references that group on its port, and it is protected
    assert.deepEqual(
      storeRules(run, "account-details-db").map((r) => ({
        name: r.name,
        from: r.inputs.referencedSecurityGroupId,
        cidr: r.inputs.cidrIpv4,
        port: r.inputs.fromPort,
        protect: r.options.protect,
      })),
      [
        {
          name: "aws-store-account-details-db-client-account-details-port-0",
          from: idOf(group),
          cidr: undefined,
          port: 5432,
          protect: true,
        },
      ],
    );
  });

  it("keeps an open store with clients open to the pod ranges, unprotected, next to its client rule", () => {
    const rules = storeRules(run, "ebo-db")
      .map((r) => ({
        source: String(r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId),
        protect: r.options.protect,
      }))
      .sort((a, b) => (a.source < b.source ? -1 : 1));
    assert.deepEqual(rules, [
      { source: "10.20.0.0/19", protect: false },
      { source: "10.20.32.0/19", protect: false },
      { source: idOf(groupOf(run, "ebo")!), protect: true },
    ]);
  });

  it("keeps a store without clients open and protected, as before", () => {
    assert.deepEqual(
      storeRules(run, "bos-db").map((r) => [r.inputs.cidrIpv4, r.options.protect]),
      [
        ["10.20.0.0/19", true],
        ["10.20.32.0/19", true],
      ],
    );
  });

  it("references groups across accounts as account/group, both ways, for a store in the legacy account", () => {
    // GIVEN sepa-db in natonly (legacy account 222222222222), its client sepa-core in the cluster's account
    const [clientRule] = storeRules(run, "sepa-db").filter((r) => r.inputs.referencedSecurityGroupId);
    assert.equal(
      clientRule?.inputs.referencedSecurityGroupId,
      `111111111111/${idOf(groupOf(run, "sepa-core")!)}`,
    );
    const egress = run.resources.filter(
      (r) => r.type === EGRESS && r.name.startsWith("aws-client-sepa-core-"),
    );
    assert.deepEqual(
      egress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]),
      [["222222222222/sg-0c33d4e5f6a7b8002", 5432]],
    );
  });

  it("creates one client group per client namespace in the cluster's VPC, out to exactly its stores", () => {
    const groups = run.resources.filter((r) => r.type === GROUP && r.name.startsWith("aws-client-"));
    assert.equal(groups.length, 10);
    assert.ok(groups.every((g) => g.inputs.vpcId === "vpc-0b4c1f2a9d3e70001" && g.options.protect));
    const outOf = (key: string) =>
      run.resources
        .filter((r) => r.type === EGRESS && r.name.startsWith(`aws-client-${key}-`))
        .map((r) => `${r.inputs.referencedSecurityGroupId}:${r.inputs.fromPort}`);
    assert.deepEqual(outOf("account-details").sort(), [
      "sg-0a11b2c3d4e5f6001:5432",
      "sg-0a11b2c3d4e5f6002:6379",
    ]);
  });

  it("gives each client's pods its group and the cluster's through a SecurityGroupPolicy in its namespace", () => {
    const policies = run.resources.filter((r) => r.type === SGP);
    assert.equal(policies.length, 10);
    const policy = policies.find((p) => (p.inputs.metadata as Values).namespace === "account-details");
    assert.deepEqual(policy?.inputs.spec, {
      podSelector: { matchLabels: {} },
      securityGroups: { groupIds: [idOf(groupOf(run, "account-details")!), "sg-0a11b2c3d4e5f6900"] },
    });
    // AND it waits for its namespace, so it never lands before the namespace exists
    assert.ok(policy?.options.dependsOn.some((urn) => urn.endsWith("::account-details")));
  });

  it("switches pod network interfaces on in the VPC CNI, in standard enforcing mode", () => {
    const addon = run.resources.find((r) => r.type === "eks:index:VpcCniAddon");
    assert.equal(addon?.inputs.enablePodEni, true);
    assert.equal(
      (addon?.inputs.configurationValues as Values | undefined)?.env.POD_SECURITY_GROUP_ENFORCING_MODE,
      "standard",
    );
  });
});

describe("store clients on the AWS side: pod labels", () => {
  it("selects only the labelled pods, with a group of their own", async () => {
    const run = await runStack(
      editedConfig((v) => {
        v.dataStores.find((s: Values) => s.name === "ebo-db").clients = [
          { namespace: "ebo", podLabels: { app: "ledger" } },
        ];
      }),
    );
    const policy = run.resources.find(
      (r) => r.type === SGP && r.name === "pod-security-groups-sgp-ebo-app-ledger",
    );
    assert.deepEqual((policy?.inputs.spec as Values | undefined)?.podSelector, {
      matchLabels: { app: "ledger" },
    });
    assert.equal(groupOf(run, "ebo"), undefined);
  });
});
