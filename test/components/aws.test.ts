import assert from "node:assert/strict";
import fc from "fast-check";
import type { RecordedResource } from "../../cli/offline";
import {
  assertRejectedBeforeAnyResource,
  openStoresConfig,
  openStoresRun,
  runStack,
  withoutCni,
} from "../support/stack";

type Values = Record<string, any>;
type Run = Awaited<ReturnType<typeof runStack>>;

const T = {
  provider: "pulumi:providers:aws",
  connection: "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
  accepter: "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
  options: "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions",
  route: "aws:ec2/route:Route",
  rule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  prefixList: "aws:ec2/managedPrefixList:ManagedPrefixList",
  vpcCni: "eks:index:VpcCniAddon",
};

const LEGACY_ROLE = "arn:aws:iam::222222222222:role/netseg-peering-accepter";
const CLUSTER_TABLES = ["rtb-0b4c1f2a9d3e70011", "rtb-0b4c1f2a9d3e70012", "rtb-0b4c1f2a9d3e70013"];
const CLUSTER_CIDRS = ["10.20.0.0/19", "10.20.32.0/19"];

function ofType(run: Run, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The component a resource was declared in (its parent's type and name). */
function parentOf(run: Run, resource: RecordedResource): RecordedResource | undefined {
  return run.resources.find((r) => r.urn === resource.parent);
}

/** The provider a resource is managed through: "default", or the role its explicit provider assumes. */
function providerOf(run: Run, resource: RecordedResource): string {
  if (!resource.provider) return "default";
  const provider = run.resources.find((r) => resource.provider?.startsWith(`${r.urn}::`));
  assert.ok(provider, `no provider recorded for ${resource.provider}`);
  const roles = JSON.parse(String(provider.inputs.assumeRoles ?? "[]")) as { roleArn: string }[];
  return roles[0]?.roleArn ?? `region ${provider.inputs.region}`;
}

function pick(inputs: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => inputs[k] !== undefined).map((k) => [k, inputs[k]]));
}

describe("the AWS side under mocks (dev stack, every store open)", () => {
  let run: Run;
  before(async () => {
    run = await openStoresRun();
  });

  const connectionOf = (vpc: string) => {
    const found = ofType(run, T.connection).filter((c) => parentOf(run, c)?.name === `aws-peering-${vpc}`);
    assert.equal(found.length, 1, `peering connections for ${vpc}`);
    return found[0]!;
  };
  const idOf = (resource: RecordedResource) => `mock::${resource.type}::${resource.name}`;

  const PEERS = [
    {
      vpc: "publicfrontal",
      peerVpcId: "vpc-0f7a2d6c1b8e40002",
      peerCidrs: ["10.30.0.0/16"],
      peerTables: ["rtb-0f7a2d6c1b8e40021", "rtb-0f7a2d6c1b8e40022"],
      accepterProvider: "default",
    },
    {
      vpc: "natonly",
      peerVpcId: "vpc-0c9e3b7d2a1f50003",
      peerCidrs: ["10.40.0.0/16"],
      peerTables: ["rtb-0c9e3b7d2a1f50031", "rtb-0c9e3b7d2a1f50032"],
      accepterProvider: LEGACY_ROLE,
    },
    {
      vpc: "kafka",
      peerVpcId: "vpc-0d2f8a4e6c3b10004",
      peerCidrs: ["10.50.0.0/16"],
      peerTables: ["rtb-0d2f8a4e6c3b10041"],
      accepterProvider: "default",
    },
  ];

  for (const peer of PEERS) {
    const crossAccount = peer.accepterProvider !== "default";
    it(`requests the ${peer.vpc} peering from the cluster's account${crossAccount ? ", for the legacy account to accept" : ", auto-accepted"}`, () => {
      const connection = connectionOf(peer.vpc);
      assert.equal(providerOf(run, connection), "default");
      assert.deepEqual(
        pick(connection.inputs, ["vpcId", "peerVpcId", "autoAccept", "peerOwnerId", "peerRegion"]),
        {
          vpcId: "vpc-0b4c1f2a9d3e70001",
          peerVpcId: peer.peerVpcId,
          autoAccept: !crossAccount,
          ...(crossAccount ? { peerOwnerId: "222222222222" } : {}),
        },
      );
    });

    it(`accepts the ${peer.vpc} peering ${crossAccount ? "on the legacy account's provider" : "on creation, with no accepter"}`, () => {
      const accepters = ofType(run, T.accepter).filter(
        (a) => a.inputs.vpcPeeringConnectionId === idOf(connectionOf(peer.vpc)),
      );
      assert.equal(accepters.length, crossAccount ? 1 : 0);
      for (const accepter of accepters) {
        assert.equal(providerOf(run, accepter), peer.accepterProvider);
        assert.equal(accepter.inputs.autoAccept, true);
      }
    });

    it(`turns on private DNS for the ${peer.vpc} peering only once it is active`, () => {
      const connection = connectionOf(peer.vpc);
      const options = ofType(run, T.options).filter(
        (o) => o.inputs.vpcPeeringConnectionId === idOf(connection),
      );
      assert.equal(options.length, 1);
      const [dns] = options;
      assert.deepEqual(dns!.inputs.accepter, { allowRemoteVpcDnsResolution: true });
      assert.equal(providerOf(run, dns!), peer.accepterProvider);
      const waitsFor = crossAccount
        ? ofType(run, T.accepter).find((a) => a.inputs.vpcPeeringConnectionId === idOf(connection))?.urn
        : connection.urn;
      assert.ok(
        waitsFor && dns!.options.dependsOn.includes(waitsFor),
        JSON.stringify(dns!.options.dependsOn),
      );
    });

    it(`routes between the cluster and ${peer.vpc} in every listed route table on both sides`, () => {
      const pcx = idOf(connectionOf(peer.vpc));
      const routes = ofType(run, T.route).filter((r) => r.inputs.vpcPeeringConnectionId === pcx);
      const key = (r: RecordedResource) =>
        `${providerOf(run, r)} ${r.inputs.routeTableId} -> ${r.inputs.destinationCidrBlock}`;
      const expected = [
        ...CLUSTER_TABLES.flatMap((t) => peer.peerCidrs.map((c) => `default ${t} -> ${c}`)),
        ...peer.peerTables.flatMap((t) => CLUSTER_CIDRS.map((c) => `${peer.accepterProvider} ${t} -> ${c}`)),
      ];
      assert.deepEqual(routes.map(key).sort(), expected.sort());
    });
  }

  it("peers with nothing else: the cluster's own VPC and the unpeered bos VPC get no peering", () => {
    const peers = ofType(run, T.connection).map((c) => c.inputs.peerVpcId);
    assert.deepEqual(peers.sort(), [
      "vpc-0c9e3b7d2a1f50003",
      "vpc-0d2f8a4e6c3b10004",
      "vpc-0f7a2d6c1b8e40002",
    ]);
  });

  const STORES: [string, string, number, string][] = [
    ["bos-db", "sg-0a11b2c3d4e5f6005", 5432, "default"],
    ["ebo-db", "sg-0a11b2c3d4e5f6007", 3306, "default"],
    ["bos-search", "sg-0a11b2c3d4e5f6006", 443, "default"],
    ["webhooks-cache", "sg-0b22c3d4e5f6a7003", 6379, "default"],
    ["payments-query-docs", "sg-0c33d4e5f6a7b8001", 27017, LEGACY_ROLE],
    ["sepa-db", "sg-0c33d4e5f6a7b8002", 5432, LEGACY_ROLE],
  ];
  for (const [store, group, port, provider] of STORES) {
    it(`opens ${store} on ${port} to each of the cluster's CIDRs, one rule each${provider === "default" ? "" : ", in the legacy account"}`, () => {
      const rules = ofType(run, T.rule).filter((r) => r.inputs.securityGroupId === group);
      assert.deepEqual(
        rules.map((r) => ({
          ...pick(r.inputs, ["ipProtocol", "fromPort", "toPort", "cidrIpv4", "prefixListId"]),
          provider: providerOf(run, r),
        })),
        CLUSTER_CIDRS.map((cidr) => ({
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
          provider,
        })),
      );
      for (const rule of rules)
        assert.match(
          String(rule.inputs.description),
          new RegExp(`^dev-eks pods \\(10\\.20\\.\\d+\\.0/19\\) to ${store} `),
        );
    });
  }

  it("adds no rule to Kafka's group, which is open to every VPC already", () => {
    assert.deepEqual(
      ofType(run, T.rule).filter((r) => r.inputs.securityGroupId === "sg-0d44e5f6a7b8c9001"),
      [],
    );
  });

  it("opens every store but Kafka: 16 stores, 2 CIDRs each", () => {
    assert.equal(ofType(run, T.rule).filter((r) => r.inputs.cidrIpv4 !== undefined).length, 32);
  });

  it("keeps one prefix list of the cluster's NAT addresses in each account with legacy load balancers", () => {
    const lists = ofType(run, T.prefixList);
    assert.deepEqual(lists.map((l) => providerOf(run, l)).sort(), [LEGACY_ROLE, "default"].sort());
    for (const list of lists) {
      assert.deepEqual(pick(list.inputs, ["addressFamily", "maxEntries"]), {
        addressFamily: "IPv4",
        maxEntries: 5,
      });
      assert.deepEqual((list.inputs.entries as { cidr: string }[]).map((e) => e.cidr).sort(), [
        "203.0.113.10/32",
        "203.0.113.11/32",
        "203.0.113.12/32",
      ]);
    }
  });

  const LOAD_BALANCERS: [string, string, number[], string][] = [
    ["bos", "sg-0e55f6a7b8c9d0001", [443], "default"],
    ["ecs-api", "sg-0b22c3d4e5f6a7101", [443], "default"],
    ["ecs-ebo", "sg-0a11b2c3d4e5f6101", [443, 8443], "default"],
    ["ecs-sepa", "sg-0c33d4e5f6a7b8101", [443], LEGACY_ROLE],
    ["ecs-swift", "sg-0c33d4e5f6a7b8102", [443, 8443], LEGACY_ROLE],
  ];
  for (const [lb, group, ports, provider] of LOAD_BALANCERS) {
    it(`allowlists the NAT prefix list on ${lb}'s group on ${ports.join(" and ")}, in the group's account`, () => {
      const list = ofType(run, T.prefixList).find((l) => providerOf(run, l) === provider);
      assert.ok(list);
      const rules = ofType(run, T.rule).filter((r) => r.inputs.securityGroupId === group);
      assert.deepEqual(
        rules.map((r) => ({
          ...pick(r.inputs, ["ipProtocol", "fromPort", "toPort", "prefixListId", "cidrIpv4"]),
          provider: providerOf(run, r),
        })),
        ports.map((port) => ({
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          prefixListId: idOf(list),
          provider,
        })),
      );
    });
  }

  it("switches NetworkPolicy enforcement on in the VPC CNI add-on, keeping pod addresses towards the peers", () => {
    const [addon, ...others] = ofType(run, T.vpcCni);
    assert.equal(others.length, 0);
    assert.deepEqual(pick(addon!.inputs, ["clusterName", "addonVersion", "enableNetworkPolicy"]), {
      clusterName: "dev-eks",
      addonVersion: "v1.21.1-eksbuild.1",
      enableNetworkPolicy: true,
    });
    assert.deepEqual(addon!.inputs.configurationValues, {
      env: {
        NETWORK_POLICY_ENFORCING_MODE: "standard",
        AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: "10.30.0.0/16,10.40.0.0/16,10.50.0.0/16",
      },
    });
  });

  it("protects peerings, acceptances and data-store rules from deletion", () => {
    const storeRules = ofType(run, T.rule).filter((r) => r.inputs.cidrIpv4 !== undefined);
    const guarded = [...ofType(run, T.connection), ...ofType(run, T.accepter), ...storeRules];
    assert.equal(guarded.length, 3 + 1 + 32);
    for (const resource of guarded) assert.equal(resource.options.protect, true, resource.name);
    // Protected, not retained: a retained peering would keep traffic flowing after leaving the stack.
    for (const resource of guarded) assert.equal(resource.options.retainOnDelete, false, resource.name);
  });

  it("leaves routes unprotected, so a changed range can move its route (create first, then delete)", () => {
    const routes = ofType(run, T.route);
    assert.equal(routes.length, 19);
    for (const route of routes) {
      assert.equal(route.options.protect, false, route.name);
      assert.equal(route.options.deleteBeforeReplace, false, route.name);
    }
  });

  it("declares every AWS resource inside a component named as its prefix, all under one AwsSide", () => {
    const side = run.resources.find((r) => r.type === "segmentation:aws:AwsSide");
    assert.equal(side?.name, "aws");
    // The public path's WAF belongs to the ingress side; everything else on AWS sits under AwsSide.
    const isAwsSide = (r: RecordedResource) =>
      /^(aws:|eks:|pulumi:providers:aws|segmentation:aws:)/.test(r.type) &&
      !r.urn.includes("segmentation:ingress:");
    for (const resource of run.resources.filter(
      (r) => isAwsSide(r) && r.type !== "segmentation:aws:AwsSide",
    )) {
      const parent = parentOf(run, resource);
      assert.ok(parent, `${resource.name} has no parent`);
      assert.ok(resource.name.startsWith(`${parent.name}-`), `${resource.name} under ${parent.name}`);
      assert.ok(parent.urn === side.urn || parent.parent === side.urn, resource.urn);
    }
  });

  it("names resources after what they connect, with ranges and ports as indexes, never values", () => {
    const names = new Set(run.resources.map((r) => r.name));
    for (const name of [
      "aws-peering-natonly-connection",
      "aws-peering-natonly-accepter-accept",
      "aws-peering-natonly-rtb-0b4c1f2a9d3e70011-peer-range-0",
      "aws-peering-natonly-accepter-rtb-0c9e3b7d2a1f50031-pod-range-1",
      "aws-store-sepa-db-pod-range-0-port-0",
      "aws-nat-legacy-eu-west-1-ecs-swift-port-1",
      "aws-provider-legacy-eu-west-1",
      "aws-vpc-cni",
    ]) {
      assert.ok(names.has(name), name);
    }
    const aws = run.resources.filter((r) => r.type.startsWith("aws:"));
    assert.equal(aws.length, 69);
    for (const resource of aws)
      assert.doesNotMatch(resource.name, /\d+\.\d+\.\d+\.\d+|-(5432|6379|443|8443)\b/);
  });

  it("exports what a reviewer needs: peering ids, prefix list ids, rule counts, enforcement", () => {
    const outputs = run.outputs;
    assert.deepEqual(Object.keys(outputs.peeringConnectionIds).sort(), ["kafka", "natonly", "publicfrontal"]);
    assert.equal(outputs.peeringConnectionIds.natonly, idOf(connectionOf("natonly")));
    assert.deepEqual(Object.keys(outputs.natPrefixListIds).sort(), ["eu-west-1", "legacy-eu-west-1"]);
    assert.deepEqual(outputs.natAllowlistRuleCounts["ecs-ebo"], {
      securityGroupId: "sg-0a11b2c3d4e5f6101",
      existing: 12,
      planned: 10,
      total: 22,
      quota: 60,
    });
    assert.match(outputs.networkPolicyEnforcement, /^on: .*enableNetworkPolicy \(standard mode\)/);
  });
});

describe("the AWS side under mocks, without the VPC CNI add-on", () => {
  it("declares no add-on and says in the outputs that policies are not enforced", async () => {
    // GIVEN a stack that does not manage the add-on
    const run = await runStack(openStoresConfig(withoutCni));
    // THEN
    assert.deepEqual(ofType(run, T.vpcCni), []);
    assert.match(
      run.outputs.networkPolicyEnforcement,
      /^WARNING: .*does not manage the VPC CNI add-on.*enforces none/,
    ); // AND it warns on the engine's log, which the run keeps rather than printing
    assert.equal(run.warnings.length, 1);
    assert.match(run.warnings[0]!, /^WARNING: .*does not manage the VPC CNI add-on/);
  });
});

describe("bad AWS input stops the stack before any resource", () => {
  const broken: [string, (values: Values) => void, RegExp][] = [
    [
      "overlapping peer CIDRs",
      (v) => (v.vpcs.kafka.cidrs = ["10.30.128.0/17"]),
      /segmentation:vpcs\.publicfrontal\.cidrs\[0\]: "10\.30\.0\.0\/16" overlaps 10\.30\.128\.0\/17 of VPC "kafka"/,
    ],
    [
      "a route table listed under two VPCs",
      (v) => v.vpcs.kafka.routeTableIds.push("rtb-0c9e3b7d2a1f50031"),
      /segmentation:vpcs\.natonly\.routeTableIds\[0\]: "rtb-0c9e3b7d2a1f50031" is already listed under VPC "kafka"/,
    ],
    [
      "a data store in a VPC that is not peered",
      (v) => (v.dataStores.find((s: Values) => s.name === "bos-db").vpc = "bos"),
      /segmentation:dataStores\[4\]\.vpc: "bos" is not peered with the cluster's VPC/,
    ],
    [
      "a legacy group that would exceed its rule quota",
      (v) => (v.legacyLoadBalancers.find((lb: Values) => lb.name === "ecs-ebo").existingInboundRules = 51),
      /sg-0a11b2c3d4e5f6101 of "ecs-ebo" 61 inbound rules .* over its quota of 60/,
    ],
  ];
  for (const [what, edit, message] of broken) {
    it(`refuses ${what}, naming the field`, async () => {
      await assertRejectedBeforeAnyResource(openStoresConfig(edit), message);
    });
  }
});

describe("the AWS side under mocks, config order", () => {
  it("declares the same resources with the same names and inputs however VPCs, stores and load balancers are ordered", async () => {
    const signature = (run: Run) =>
      run.resources
        .map((r) =>
          JSON.stringify({
            type: r.type,
            name: r.name,
            parent: r.parent,
            provider: r.provider,
            inputs: r.inputs,
          }),
        )
        .sort();
    const base = signature(await openStoresRun());
    const vpcNames = Object.keys(JSON.parse(openStoresConfig()["segmentation:vpcs"]!));
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(vpcNames, { minLength: vpcNames.length, maxLength: vpcNames.length }),
        fc.func(fc.integer()),
        async (vpcOrder, rank) => {
          // GIVEN the dev config with VPCs, stores and load balancers in a random order
          const config = openStoresConfig((v) => {
            v.vpcs = Object.fromEntries(vpcOrder.map((name) => [name, v.vpcs[name]]));
            v.dataStores.sort((a: Values, b: Values) => rank(a.name) - rank(b.name));
            v.legacyLoadBalancers.sort((a: Values, b: Values) => rank(a.name) - rank(b.name));
          });
          // WHEN the stack runs
          // THEN it declares exactly the same resources
          assert.deepEqual(signature(await runStack(config)), base);
        },
      ),
      { numRuns: 2 },
    );
  });
});
