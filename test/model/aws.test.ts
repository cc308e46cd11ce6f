import assert from "node:assert/strict";
import fc from "fast-check";
import { formatProblem } from "../../core/problems";
import { type AwsSidePlan, type PeeringSpec, planAwsSide } from "../../model/aws";
import { checkConfig, parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { openStoresConfig, withoutCni } from "../support/stack";

type Values = Record<string, any>;

function planOf(config: Record<string, string> = openStoresConfig()): AwsSidePlan {
  return planAwsSide(parseConfig(rawConfigOf(config)));
}

function peering(plan: AwsSidePlan, vpc: string): PeeringSpec {
  const found = plan.peerings.find((p) => p.vpc === vpc);
  assert.ok(found, `no peering planned for ${vpc}`);
  return found;
}

const routeKeys = (routes: PeeringSpec["requesterRoutes"]) =>
  routes.map((r) => `${r.routeTableId} -> ${r.destinationCidrBlock}`).sort();

const CLUSTER_TABLES = ["rtb-0b4c1f2a9d3e70011", "rtb-0b4c1f2a9d3e70012", "rtb-0b4c1f2a9d3e70013"];
const CLUSTER_CIDRS = ["10.20.0.0/19", "10.20.32.0/19"];

describe("AWS side plan: peering", () => {
  it("peers the cluster's VPC with every peered VPC, and with nothing else", () => {
    // GIVEN the dev stack: backoffice is the cluster's VPC, bos is listed with peered: false
    const plan = planOf();
    // THEN
    assert.deepEqual(plan.peerings.map((p) => p.vpc).sort(), ["kafka", "natonly", "publicfrontal"]);
  });

  it("auto-accepts a peering within the stack's own account and region", () => {
    const kafka = peering(planOf(), "kafka");
    assert.deepEqual(
      {
        vpcId: kafka.connection.vpcId,
        peerVpcId: kafka.connection.peerVpcId,
        autoAccept: kafka.connection.autoAccept,
      },
      { vpcId: "vpc-0b4c1f2a9d3e70001", peerVpcId: "vpc-0d2f8a4e6c3b10004", autoAccept: true },
    );
    assert.equal(kafka.connection.peerOwnerId, undefined);
    assert.equal(kafka.connection.peerRegion, undefined);
    assert.equal(kafka.accept, undefined);
    assert.equal(kafka.accepterSite, kafka.requesterSite);
  });

  it("requests a peering in another account and accepts it there, through that account's role", () => {
    // GIVEN natonly in the legacy account (role in account 222222222222)
    const plan = planOf();
    const natonly = peering(plan, "natonly");
    // THEN the request names the owner and waits; the acceptance happens at the legacy site
    assert.equal(natonly.connection.autoAccept, false);
    assert.equal(natonly.connection.peerOwnerId, "222222222222");
    assert.equal(natonly.connection.peerRegion, undefined);
    assert.ok(natonly.accept);
    assert.equal(natonly.accepterSite, "legacy-eu-west-1");
    assert.deepEqual(plan.providers, [
      {
        resourceName: "provider-legacy-eu-west-1",
        site: "legacy-eu-west-1",
        region: "eu-west-1",
        roleArn: "arn:aws:iam::222222222222:role/netseg-peering-accepter",
        accountId: "222222222222",
      },
    ]);
  });

  it("requests a peering in another region of the same account and accepts it in that region", () => {
    // GIVEN the Kafka VPC moved to eu-central-1
    const plan = planOf(openStoresConfig((v) => (v.vpcs.kafka.region = "eu-central-1")));
    const kafka = peering(plan, "kafka");
    // THEN
    assert.equal(kafka.connection.autoAccept, false);
    assert.equal(kafka.connection.peerRegion, "eu-central-1");
    assert.equal(kafka.connection.peerOwnerId, undefined);
    assert.ok(kafka.accept);
    const provider = plan.providers.find((p) => p.site === kafka.accepterSite);
    assert.deepEqual(provider, {
      resourceName: "provider-eu-central-1",
      site: "eu-central-1",
      region: "eu-central-1",
    });
  });

  it("lets the cluster resolve the peer's private DNS names once the peering is active", () => {
    for (const p of planOf().peerings)
      assert.deepEqual(p.dns, { accepter: { allowRemoteVpcDnsResolution: true } });
  });

  const ROUTES: { vpc: string; peerCidrs: string[]; peerTables: string[] }[] = [
    {
      vpc: "publicfrontal",
      peerCidrs: ["10.30.0.0/16"],
      peerTables: ["rtb-0f7a2d6c1b8e40021", "rtb-0f7a2d6c1b8e40022"],
    },
    {
      vpc: "natonly",
      peerCidrs: ["10.40.0.0/16"],
      peerTables: ["rtb-0c9e3b7d2a1f50031", "rtb-0c9e3b7d2a1f50032"],
    },
    { vpc: "kafka", peerCidrs: ["10.50.0.0/16"], peerTables: ["rtb-0d2f8a4e6c3b10041"] },
  ];
  for (const { vpc, peerCidrs, peerTables } of ROUTES) {
    it(`routes ${vpc}'s CIDRs from every cluster route table, and the cluster's CIDRs back from every ${vpc} table`, () => {
      const p = peering(planOf(), vpc);
      assert.deepEqual(
        routeKeys(p.requesterRoutes),
        CLUSTER_TABLES.flatMap((t) => peerCidrs.map((c) => `${t} -> ${c}`)).sort(),
      );
      assert.deepEqual(
        routeKeys(p.accepterRoutes),
        peerTables.flatMap((t) => CLUSTER_CIDRS.map((c) => `${t} -> ${c}`)).sort(),
      );
    });
  }

  it("routes every CIDR of a peer with several", () => {
    const plan = planOf(
      openStoresConfig((v) => (v.vpcs.publicfrontal.cidrs = ["10.31.0.0/16", "10.30.0.0/16"])),
    );
    const destinations = new Set(
      peering(plan, "publicfrontal").requesterRoutes.map((r) => r.destinationCidrBlock),
    );
    assert.deepEqual([...destinations].sort(), ["10.30.0.0/16", "10.31.0.0/16"]);
    assert.equal(peering(plan, "publicfrontal").requesterRoutes.length, 6);
  });
});

describe("AWS side plan: data-store openings", () => {
  it("opens each store on each of its ports to each of the cluster's CIDRs, and nothing more", () => {
    // GIVEN two CIDRs for the cluster, and a store with two ports
    const plan = planOf(openStoresConfig((v) => (v.dataStores[0].ports = [5432, 5433])));
    const store = plan.dataStores.find((s) => s.store === "account-details-db");
    // THEN four rules on the store's group
    assert.deepEqual(
      store?.rules
        .map((r) => `${r.securityGroupId} ${r.ipProtocol} ${r.fromPort}-${r.toPort} from ${r.cidrIpv4}`)
        .sort(),
      [
        "sg-0a11b2c3d4e5f6001 tcp 5432-5432 from 10.20.0.0/19",
        "sg-0a11b2c3d4e5f6001 tcp 5432-5432 from 10.20.32.0/19",
        "sg-0a11b2c3d4e5f6001 tcp 5433-5433 from 10.20.0.0/19",
        "sg-0a11b2c3d4e5f6001 tcp 5433-5433 from 10.20.32.0/19",
      ],
    );
  });

  it("leaves Kafka alone: MSK is open to every VPC already", () => {
    const plan = planOf();
    assert.equal(plan.dataStores.length, 16);
    assert.equal(
      plan.dataStores.find((s) => s.store === "kafka"),
      undefined,
    );
  });

  it("opens Kafka when config asks", () => {
    const plan = planOf(
      openStoresConfig((v) => (v.dataStores.find((s: Values) => s.name === "kafka").openFromCluster = true)),
    );
    const kafka = plan.dataStores.find((s) => s.store === "kafka");
    assert.deepEqual(kafka?.rules.map((r) => r.fromPort).sort(), [9094, 9094, 9098, 9098]);
  });

  it("manages a store's rules in the account its VPC lives in", () => {
    const plan = planOf();
    const siteOf = (store: string) => plan.dataStores.find((s) => s.store === store)?.site;
    assert.equal(siteOf("sepa-db"), "legacy-eu-west-1");
    assert.equal(siteOf("api-db"), "eu-west-1");
    assert.equal(siteOf("bos-db"), "eu-west-1");
  });

  it("says in every rule why it exists", () => {
    const rule = planOf()
      .dataStores.find((s) => s.store === "bos-db")
      ?.rules.find((r) => r.cidrIpv4 === "10.20.32.0/19");
    assert.equal(rule?.description, "dev-eks pods (10.20.32.0/19) to bos-db (rds) on 5432");
  });
});

describe("AWS side plan: NAT allowlists", () => {
  it("plans one prefix list of the cluster's NAT addresses per account and region with legacy load balancers", () => {
    const plan = planOf();
    assert.deepEqual(plan.natAllowlists.map((a) => a.site).sort(), ["eu-west-1", "legacy-eu-west-1"]);
    for (const allowlist of plan.natAllowlists) {
      assert.deepEqual(
        allowlist.prefixList.entries.map((e) => e.cidr),
        ["203.0.113.10/32", "203.0.113.11/32", "203.0.113.12/32"],
      );
    }
  });

  it("sizes the prefix list at the NAT address count plus headroom, unless config sets it", () => {
    assert.ok(planOf().natAllowlists.every((a) => a.prefixList.maxEntries === 5));
    const exact = planOf(openStoresConfig((v) => (v.cluster.natPrefixListMaxEntries = 3)));
    assert.ok(exact.natAllowlists.every((a) => a.prefixList.maxEntries === 3));
  });

  it("adds one rule per load balancer port, at the load balancer's site", () => {
    const plan = planOf();
    const rules = plan.natAllowlists.flatMap((a) =>
      a.rules.map((r) => `${a.site} ${r.loadBalancer} ${r.securityGroupId} ${r.fromPort}-${r.toPort}`),
    );
    assert.deepEqual(rules.sort(), [
      "eu-west-1 bos sg-0e55f6a7b8c9d0001 443-443",
      "eu-west-1 ecs-api sg-0b22c3d4e5f6a7101 443-443",
      "eu-west-1 ecs-ebo sg-0a11b2c3d4e5f6101 443-443",
      "eu-west-1 ecs-ebo sg-0a11b2c3d4e5f6101 8443-8443",
      "eu-west-1 ecs-webhooks sg-0b22c3d4e5f6a7102 443-443",
      "legacy-eu-west-1 ecs-sepa sg-0c33d4e5f6a7b8101 443-443",
      "legacy-eu-west-1 ecs-swift sg-0c33d4e5f6a7b8102 443-443",
      "legacy-eu-west-1 ecs-swift sg-0c33d4e5f6a7b8102 8443-8443",
    ]);
  });

  it("counts each group's inbound rules as existing plus ports times the list's maxEntries", () => {
    const counts = planOf(openStoresConfig((v) => (v.cluster.natPrefixListMaxEntries = 8))).inboundRuleCounts;
    assert.deepEqual(counts["ecs-ebo"], {
      securityGroupId: "sg-0a11b2c3d4e5f6101",
      existing: 12,
      planned: 16,
      total: 28,
      quota: 60,
    });
    assert.equal(counts.bos?.total, 8);
  });

  it("plans no prefix list where there is no legacy load balancer", () => {
    const plan = planOf(
      openStoresConfig(
        (v) => (v.legacyLoadBalancers = v.legacyLoadBalancers.filter((lb: Values) => lb.vpc !== "natonly")),
      ),
    );
    assert.deepEqual(
      plan.natAllowlists.map((a) => a.site),
      ["eu-west-1"],
    );
  });
});

describe("AWS side plan: NetworkPolicy enforcement", () => {
  it("switches enforcement on in the VPC CNI add-on, in the configured mode", () => {
    const { vpcCni, warnings } = planOf();
    assert.equal(vpcCni?.enableNetworkPolicy, true);
    assert.equal(vpcCni?.clusterName, "dev-eks");
    assert.equal(vpcCni?.addonVersion, "v1.21.1-eksbuild.1");
    assert.equal(vpcCni?.configurationValues.env.NETWORK_POLICY_ENFORCING_MODE, "standard");
    assert.deepEqual(warnings, []);
  });

  it("keeps pod addresses on traffic to the peered VPCs, and only to them", () => {
    const env = planOf().vpcCni?.configurationValues.env;
    assert.equal(env?.AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS, "10.30.0.0/16,10.40.0.0/16,10.50.0.0/16");
  });

  it("warns loudly when the stack does not manage the add-on", () => {
    const plan = planOf(openStoresConfig(withoutCni));
    assert.equal(plan.vpcCni, undefined);
    assert.match(plan.enforcement, /^WARNING: .*enforces none/);
    assert.deepEqual(plan.warnings, [plan.enforcement]);
  });
});

describe("AWS side plan: names and descriptions", () => {
  it("gives every resource a name unique within its component", () => {
    const plan = planOf();
    const names = [
      ...plan.providers.map((p) => p.resourceName),
      ...plan.peerings.flatMap((p) => [p.resourceName, p.accepterResourceName]),
      ...plan.dataStores.map((s) => s.resourceName),
      ...plan.natAllowlists.map((a) => a.resourceName),
    ];
    assert.equal(new Set(names).size, names.length);
    for (const group of [
      ...plan.peerings.flatMap((p) => [p.requesterRoutes, p.accepterRoutes]),
      ...plan.dataStores.map((s) => s.rules),
      ...plan.natAllowlists.map((a) => a.rules),
    ]) {
      const children = group.map((child) => child.resourceName);
      assert.equal(new Set(children).size, children.length, children.join(", "));
    }
  });

  it("describes every rule in characters AWS accepts, within 255 characters", () => {
    const plan = planOf();
    const descriptions = [
      ...plan.dataStores.flatMap((s) => s.rules),
      ...plan.natAllowlists.flatMap((a) => a.rules),
    ].map((r) => r.description);
    for (const description of descriptions) {
      assert.match(description, /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/);
      assert.match(description, /^dev-eks /);
    }
  });

  it("plans the same resources however the config lists VPCs, stores, load balancers and addresses", () => {
    const dev = openStoresConfig(() => {});
    const base = planOf(dev);
    const values = JSON.parse(dev["segmentation:vpcs"]!) as Values;
    fc.assert(
      fc.property(shuffle(Object.keys(values)), fc.func(fc.integer()), (vpcOrder, rank) => {
        const shuffled = openStoresConfig((v) => {
          v.vpcs = Object.fromEntries(vpcOrder.map((name) => [name, shuffledValues(v.vpcs[name], rank)]));
          v.dataStores = sortBy(v.dataStores, (s: Values) => rank(s.name));
          v.legacyLoadBalancers = sortBy(v.legacyLoadBalancers, (lb: Values) => rank(lb.name));
          v.cluster.cidrs = sortBy(v.cluster.cidrs, (c: string) => rank(c));
          v.cluster.natGatewayIps = sortBy(v.cluster.natGatewayIps, (ip: string) => rank(ip));
        });
        assert.deepEqual(planOf(shuffled), base);
      }),
      { numRuns: 40 },
    );
  });
});

/** A random order of the given items. */
function shuffle<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

function sortBy<T>(items: readonly T[], key: (item: T) => number): T[] {
  return [...items].sort((a, b) => key(a) - key(b));
}

function shuffledValues(vpc: Values, rank: (value: string) => number): Values {
  return {
    ...vpc,
    cidrs: sortBy(vpc.cidrs, rank),
    routeTableIds: sortBy(vpc.routeTableIds ?? [], rank),
    natGatewayIps: sortBy(vpc.natGatewayIps ?? [], rank),
  };
}

interface BadInput {
  name: string;
  edit: (values: Values) => void;
  expect: { path: string; message: RegExp }[];
}

const CASES: BadInput[] = [
  {
    name: "rejects a legacy group the NAT allowlist would push over its quota, naming group, count and quota",
    edit: (v) =>
      (v.legacyLoadBalancers.find((lb: Values) => lb.name === "ecs-ebo").existingInboundRules = 55),
    expect: [
      {
        path: "segmentation:legacyLoadBalancers[3].ports",
        message:
          /would give security group sg-0a11b2c3d4e5f6101 of "ecs-ebo" 65 inbound rules \(55 existing \+ 2 ports × 5, the NAT prefix list's maxEntries\), over its quota of 60; raise .* set rulesQuota/,
      },
    ],
  },
  {
    name: "suggests a smaller prefix list when that is enough for the group to fit",
    edit: (v) =>
      (v.legacyLoadBalancers.find((lb: Values) => lb.name === "ecs-ebo").existingInboundRules = 52),
    expect: [
      {
        path: "segmentation:legacyLoadBalancers[3].ports",
        message: /62 inbound rules .* set segmentation:cluster\.natPrefixListMaxEntries to at most 4/,
      },
    ],
  },
  {
    name: "rejects a group whose configured quota is too small for its ports",
    edit: (v) => (v.legacyLoadBalancers.find((lb: Values) => lb.name === "ecs-swift").rulesQuota = 9),
    expect: [
      {
        path: "segmentation:legacyLoadBalancers[5].ports",
        message: /of "ecs-swift" 10 inbound rules \(0 existing \+ 2 ports × 5, .*\), over its quota of 9/,
      },
    ],
  },
  {
    // ecs-swift reaches exactly 60 (2 ports x 30), which still fits; ecs-ebo has 12 rules already.
    name: "counts a larger configured prefix list against every group, letting a group reach its quota exactly",
    edit: (v) => (v.cluster.natPrefixListMaxEntries = 30),
    expect: [{ path: "segmentation:legacyLoadBalancers[3].ports", message: /"ecs-ebo" 72 inbound rules/ }],
  },
  {
    name: "rejects a prefix list too small for the NAT addresses",
    edit: (v) => (v.cluster.natPrefixListMaxEntries = 2),
    expect: [
      {
        path: "segmentation:cluster.natPrefixListMaxEntries",
        message: /2 is smaller than the 3 NAT addresses the prefix list must hold; set it to at least 3/,
      },
    ],
  },
  {
    name: "rejects a prefix list size AWS would refuse",
    edit: (v) => (v.cluster.natPrefixListMaxEntries = 1001),
    expect: [
      {
        path: "segmentation:cluster.natPrefixListMaxEntries",
        message: /is not a prefix list size AWS accepts/,
      },
    ],
  },
  {
    name: "rejects a cluster VPC in another account",
    edit: (v) => (v.vpcs.backoffice.account = "legacy"),
    expect: [
      { path: "segmentation:vpcs.backoffice.account", message: /puts the cluster's VPC in another account/ },
    ],
  },
  {
    name: "rejects a cluster VPC outside aws:region",
    edit: (v) => (v.vpcs.backoffice.region = "us-east-1"),
    expect: [
      {
        path: "segmentation:vpcs.backoffice.region",
        message: /outside aws:region \(eu-west-1\).*set aws:region to us-east-1/,
      },
    ],
  },
  {
    name: "rejects a peered VPC with no route table to route back through",
    edit: (v) => (v.vpcs.kafka.routeTableIds = []),
    expect: [
      {
        path: "segmentation:vpcs.kafka.routeTableIds",
        message: /nothing in this peered VPC routes back to the cluster/,
      },
    ],
  },
  {
    name: "rejects a cluster VPC with no route table while peers exist",
    edit: (v) => (v.vpcs.backoffice.routeTableIds = []),
    expect: [
      {
        path: "segmentation:vpcs.backoffice.routeTableIds",
        message: /nothing in the cluster's VPC routes to kafka, natonly, publicfrontal/,
      },
    ],
  },
];

describe("AWS side config checks", () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const { issues } = checkConfig(rawConfigOf(openStoresConfig(testCase.edit)));
      const lines = issues.map(formatProblem);
      assert.equal(issues.length, testCase.expect.length, lines.join("\n"));
      for (const expected of testCase.expect) {
        assert.ok(
          issues.some((issue) => issue.path === expected.path && expected.message.test(formatProblem(issue))),
          `no problem at ${expected.path} matching ${expected.message}; got:\n${lines.join("\n")}`,
        );
      }
    });
  }

  it("either fits every group within its quota or names each group that overflows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 80 }),
        fc.option(fc.integer({ min: 3, max: 40 }), { nil: undefined }),
        (existing, ports, quota, maxEntries) => {
          // GIVEN one legacy group with random existing rules, ports and quota, and a random list size
          const config = openStoresConfig((v) => {
            const lb = v.legacyLoadBalancers.find((l: Values) => l.name === "ecs-ebo");
            Object.assign(lb, { existingInboundRules: existing, ports, rulesQuota: quota });
            if (maxEntries !== undefined) v.cluster.natPrefixListMaxEntries = maxEntries;
          });
          // WHEN the config is checked
          const { config: parsed, issues } = checkConfig(rawConfigOf(config));
          // THEN the group is named exactly when existing + ports x maxEntries exceeds its quota
          const total = existing + ports.length * (maxEntries ?? 5);
          const overflow = issues.filter((i) => i.path === "segmentation:legacyLoadBalancers[3].ports");
          assert.equal(overflow.length, total > quota ? 1 : 0, issues.map(formatProblem).join("\n"));
          if (total > quota)
            assert.match(overflow[0]!.problem, new RegExp(`"ecs-ebo" ${total} inbound rules`));
          // AND whatever gets planned fits every group
          if (parsed) {
            for (const count of Object.values(planAwsSide(parsed).inboundRuleCounts)) {
              assert.ok(count.total <= count.quota, JSON.stringify(count));
            }
          } else assert.ok(issues.length > 0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
