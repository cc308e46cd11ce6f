import assert from "node:assert/strict";
import { formatProblem } from "../../core/problems";
import { checkConfig, parseConfig } from "../../model/config";
import { ConfigError } from "../../model/issues";
import { parseStackFile, rawConfigOf } from "../../model/stackFile";
import { devConfig, editedConfig } from "../support/stack";
import { DEV } from "../support/stackCounts";

type Values = Record<string, any>;

interface BadInput {
  name: string;
  edit: (values: Values) => void;
  /** Expected problems: the config path and a pattern the rendered line must match. */
  expect: { path: string; message: RegExp }[];
}

const CASES: BadInput[] = [
  {
    name: "rejects a CIDR that does not parse",
    edit: (v) => (v.cluster.cidrs[0] = "10.20.0/19"),
    expect: [{ path: "segmentation:cluster.cidrs[0]", message: /"10\.20\.0\/19" is not an IPv4 CIDR/ }],
  },
  {
    name: "rejects host bits and suggests the network address",
    edit: (v) => (v.vpcs.natonly.cidrs = ["10.40.0.1/16"]),
    expect: [
      {
        path: "segmentation:vpcs.natonly.cidrs[0]",
        message: /has host bits set; use the network address "10\.40\.0\.0\/16", or "10\.40\.0\.1\/32"/,
      },
    ],
  },
  {
    name: "rejects an address without a mask and suggests /32",
    edit: (v) => (v.sources.vpnIt = ["192.0.2.33"]),
    expect: [
      { path: "segmentation:sources.vpnIt[0]", message: /has no mask; did you mean "192\.0\.2\.33\/32"/ },
    ],
  },
  {
    name: "rejects IPv6 where IPv4 is required",
    edit: (v) => (v.vpcs.kafka.cidrs = ["2001:db8::/32"]),
    expect: [{ path: "segmentation:vpcs.kafka.cidrs[0]", message: /is IPv6, but this field takes IPv4/ }],
  },
  {
    name: "rejects an IPv6 NAT address",
    edit: (v) => (v.cluster.natGatewayIps[1] = "2001:db8::1"),
    expect: [{ path: "segmentation:cluster.natGatewayIps[1]", message: /is IPv6/ }],
  },
  {
    name: "rejects overlapping CIDRs between peered VPCs, naming both",
    edit: (v) => (v.vpcs.kafka.cidrs = ["10.30.128.0/17"]),
    expect: [
      {
        path: "segmentation:vpcs.publicfrontal.cidrs[0]",
        message: /overlaps 10\.30\.128\.0\/17 of VPC "kafka"/,
      },
    ],
  },
  {
    name: "rejects a peer overlapping the cluster's VPC",
    edit: (v) => {
      v.vpcs.natonly.cidrs = ["10.20.128.0/17"];
      for (const store of v.dataStores) if (store.vpc === "natonly") store.subnets = ["10.20.200.0/28"];
    },
    expect: [
      {
        path: "segmentation:vpcs.natonly.cidrs[0]",
        message: /overlaps 10\.20\.0\.0\/16 of VPC "backoffice"/,
      },
    ],
  },
  {
    name: "rejects a cluster CIDR outside its VPC",
    edit: (v) => (v.cluster.cidrs[0] = "10.21.0.0/19"),
    expect: [{ path: "segmentation:cluster.cidrs[0]", message: /is outside the cluster's VPC "backoffice"/ }],
  },
  {
    name: "rejects a cluster VPC that is not configured",
    edit: (v) => (v.cluster.vpc = "backofice"),
    expect: [{ path: "segmentation:cluster.vpc", message: /is not a VPC in segmentation:vpcs/ }],
  },
  {
    name: "rejects an unknown area and names the known ones",
    edit: (v) => (v.namespaces.api.area = "frontend"),
    expect: [
      {
        path: "segmentation:namespaces.api.area",
        message: /"frontend" is not an area; use one of publicfrontal, backoffice, internalservices/,
      },
    ],
  },
  {
    name: "suggests the area a typo meant",
    edit: (v) => (v.namespaces.payments.area = "backofice"),
    expect: [{ path: "segmentation:namespaces.payments.area", message: /did you mean "backoffice"\?/ }],
  },
  {
    name: "rejects an unknown area in a namespace's extra ingress controllers",
    edit: (v) => (v.namespaces.payments.ingressControllers = ["natonly"]),
    expect: [
      { path: "segmentation:namespaces.payments.ingressControllers[0]", message: /"natonly" is not an area/ },
    ],
  },
  {
    name: "rejects a namespace that is also a tool's namespace",
    edit: (v) => (v.namespaces.vault = { area: "backoffice" }),
    expect: [
      {
        path: "segmentation:namespaces.vault",
        message: /is the vault tool's namespace, which carries no area/,
      },
    ],
  },
  {
    name: "rejects a namespace that is an ingress controller's namespace",
    edit: (v) => (v.namespaces["ingress-backoffice"] = { area: "backoffice" }),
    expect: [
      { path: "segmentation:namespaces.ingress-backoffice", message: /ingress controller's namespace/ },
    ],
  },
  {
    name: "rejects a system namespace in an area",
    edit: (v) => (v.namespaces["kube-system"] = { area: "backoffice" }),
    expect: [{ path: "segmentation:namespaces.kube-system", message: /is a system namespace/ }],
  },
  {
    name: "rejects a namespace name Kubernetes would refuse",
    edit: (v) => (v.namespaces.Payments_API = { area: "backoffice" }),
    expect: [{ path: "segmentation:namespaces.Payments_API", message: /is not a DNS-1123 label/ }],
  },
  {
    name: "rejects a namespace name longer than 63 characters",
    edit: (v) => (v.namespaces["a".repeat(64)] = { area: "backoffice" }),
    expect: [
      {
        path: `segmentation:namespaces.${"a".repeat(64)}`,
        message: /is 64 characters long; Kubernetes allows at most 63/,
      },
    ],
  },
  {
    name: "rejects a label value Kubernetes would refuse",
    edit: (v) => (v.namespaces.api.labels = { team: "front end!" }),
    expect: [
      { path: "segmentation:namespaces.api.labels.team", message: /"front end!" is not a valid label value/ },
    ],
  },
  {
    name: "rejects setting the area label by hand",
    edit: (v) => (v.namespaces.api.labels = { networkArea: "backoffice" }),
    expect: [
      {
        path: "segmentation:namespaces.api.labels",
        message: /"networkArea" is a label the stack sets itself/,
      },
    ],
  },
  {
    name: "rejects a namespace naming its own area's controller as an extra one",
    edit: (v) => (v.namespaces.payments.ingressControllers = ["backoffice"]),
    expect: [
      {
        path: "segmentation:namespaces.payments.ingressControllers",
        message: /names the namespace's own area/,
      },
    ],
  },
  {
    name: "rejects an unknown source name",
    edit: (v) => v.ingress.backoffice.sources.push("vpnIt3"),
    expect: [
      {
        path: "segmentation:ingress.backoffice.sources[4]",
        message:
          /"vpnIt3" is not a source in segmentation:sources; use one of offices, vpnGeneric, vpnIt, vpnIt2/,
      },
    ],
  },
  {
    name: "rejects 0.0.0.0/0 in every non-public allowlist that uses it",
    edit: (v) => (v.sources.vpnIt2 = ["0.0.0.0/0"]),
    expect: [
      {
        path: "segmentation:ingress.backoffice.sources[3]",
        message: /contains 0\.0\.0\.0\/0, which opens the backoffice controller/,
      },
      {
        path: "segmentation:ingress.internalservices.sources[0]",
        message: /contains 0\.0\.0\.0\/0, which opens the internalservices controller/,
      },
    ],
  },
  {
    name: "names the source that makes an allowlist as good as open, not the controller",
    edit: (v) => {
      v.widestSource = "/1";
      v.sources.offices = ["0.0.0.0/1", "128.0.0.0/1"];
    },
    expect: [
      {
        path: "segmentation:ingress.backoffice.sources[0]",
        message:
          /"offices" names source "offices", whose ranges cover 4294967296 addresses;.*\(a \/8 or more\).*narrow segmentation:sources\.offices/,
      },
    ],
  },
  {
    name: "rejects an office range wider than the default widest source (/16)",
    edit: (v) => (v.sources.offices = ["192.0.2.0/28", "64.0.0.0/9"]),
    expect: [
      {
        path: "segmentation:sources.offices[1]",
        message:
          /"64\.0\.0\.0\/9" is a \/9 \(8388608 addresses\), wider than segmentation:widestSource \(\/16\); .*raise segmentation:widestSource to "\/9"/,
      },
    ],
  },
  {
    name: "rejects a source wider than a configured widest source",
    edit: (v) => {
      v.widestSource = "/24";
      v.sources.vpnIt = ["192.0.2.0/23"];
    },
    expect: [
      {
        path: "segmentation:sources.vpnIt[0]",
        message: /is a \/23 .* wider than segmentation:widestSource \(\/24\)/,
      },
    ],
  },
  {
    name: "rejects a widest source that is not a prefix length",
    edit: (v) => (v.widestSource = "16"),
    expect: [
      { path: "segmentation:widestSource", message: /"16" is not a prefix length; write it as "\/16"/ },
    ],
  },
  {
    name: "rejects a peer VPC whose id is the cluster's own VPC",
    edit: (v) => (v.vpcs.kafka.vpcId = v.vpcs.backoffice.vpcId),
    expect: [
      {
        path: "segmentation:vpcs.kafka.vpcId",
        message:
          /is the cluster's own VPC \(segmentation:vpcs\.backoffice\), which cannot be peered with itself; use the id of the kafka VPC/,
      },
    ],
  },
  {
    name: "rejects an empty namespaces map",
    edit: (v) => (v.namespaces = {}),
    expect: [
      {
        path: "segmentation:namespaces",
        message: /\{\} is empty, so the stack would segment nothing; list the namespaces/,
      },
    ],
  },
  {
    name: "rejects a WAF rule group AWS does not publish, suggesting the near miss",
    edit: (v) => (v.ingress.publicfrontal.wafManagedRuleGroups[0] = "AWSManagedRulesCommonRuleSets"),
    expect: [
      {
        path: "segmentation:ingress.publicfrontal.wafManagedRuleGroups[0]",
        message: /is not a rule group AWS publishes; did you mean "AWSManagedRulesCommonRuleSet"\?/,
      },
    ],
  },
  {
    name: "rejects a made-up WAF rule group, pointing at AWS's list",
    edit: (v) => v.ingress.publicfrontal.wafManagedRuleGroups.push("AWSManagedRulesEverythingRuleSet"),
    expect: [
      {
        path: "segmentation:ingress.publicfrontal.wafManagedRuleGroups[3]",
        message:
          /is not a rule group AWS publishes; use one listed at https:\/\/docs\.aws\.amazon\.com\/waf\//,
      },
    ],
  },
  {
    name: "rejects a data store whose group is also a legacy load balancer's",
    edit: (v) => (v.dataStores[0].securityGroupId = v.legacyLoadBalancers[3].securityGroupId),
    expect: [
      {
        path: "segmentation:dataStores[0].securityGroupId",
        message:
          /of data store "account-details-db" is also the group of legacy load balancer "ecs-ebo" \(segmentation:legacyLoadBalancers\[3\]\); use the store's own security group/,
      },
    ],
  },
  {
    name: "says which load balancer an empty port list leaves unreachable",
    edit: (v) => (v.legacyLoadBalancers[0].ports = []),
    expect: [
      {
        path: "segmentation:legacyLoadBalancers[0].ports",
        message:
          /\[\] is empty, so the cluster's NAT addresses would reach load balancer "bos" on no port; list the ports "bos" serves/,
      },
    ],
  },
  {
    name: "rejects an empty allowlist for a non-public controller",
    edit: (v) =>
      (v.ingress.internalservices = { ...v.ingress.internalservices, sources: [], natGatewaysOf: [] }),
    expect: [
      { path: "segmentation:ingress.internalservices.sources", message: /is empty; an empty allowlist/ },
    ],
  },
  {
    name: "rejects a non-public controller with no entry at all",
    edit: (v) => delete v.ingress.backoffice,
    expect: [
      { path: "segmentation:ingress.backoffice.sources", message: /is empty/ },
      { path: "segmentation:ingress.backoffice.loadBalancerSubnets", message: /is missing/ },
    ],
  },
  {
    name: "rejects a controller without its load balancer's subnets, since the VPC holds the pods",
    edit: (v) => delete v.ingress.publicfrontal.loadBalancerSubnets,
    expect: [
      {
        path: "segmentation:ingress.publicfrontal.loadBalancerSubnets",
        message: /is missing, so the publicfrontal controller cannot tell its load balancer from the pods/,
      },
    ],
  },
  {
    name: "rejects load balancer subnets that overlap the pod ranges",
    edit: (v) => (v.ingress.backoffice.loadBalancerSubnets = ["10.20.1.0/24"]),
    expect: [
      {
        path: "segmentation:ingress.backoffice.loadBalancerSubnets[0]",
        message:
          /overlaps the pod ranges \(10.20.0.0\/19, 10.20.32.0\/19\), so pods would pass for the load balancer/,
      },
    ],
  },
  {
    name: "rejects load balancer subnets outside the cluster's VPC",
    edit: (v) => (v.ingress.internalservices.loadBalancerSubnets = ["10.40.1.0/24"]),
    expect: [
      {
        path: "segmentation:ingress.internalservices.loadBalancerSubnets[0]",
        message: /is not inside the cluster's VPC \(10.20.0.0\/16\)/,
      },
    ],
  },
  {
    name: "refuses the cluster tier on a VPC CNI that accepts its objects without enforcing them",
    edit: (v) => {
      v.policyMode = "clusterTier";
      v.cluster.vpcCni.addonVersion = "v1.20.4-eksbuild.1";
    },
    expect: [
      {
        path: "segmentation:cluster.vpcCni.addonVersion",
        message: /is older than v1.21.1, which accepts ClusterNetworkPolicy objects without enforcing them/,
      },
    ],
  },
  {
    name: "refuses the cluster tier when the VPC CNI version is unknown",
    edit: (v) => {
      v.policyMode = "clusterTier";
      delete v.cluster.vpcCni.addonVersion;
    },
    expect: [
      { path: "segmentation:cluster.vpcCni.addonVersion", message: /is not set, so the stack cannot tell/ },
    ],
  },
  {
    name: "refuses the cluster tier on Kubernetes older than 1.29",
    edit: (v) => {
      v.policyMode = "clusterTier";
      v.cluster.vpcCni.kubernetesVersion = "1.28";
    },
    expect: [
      { path: "segmentation:cluster.vpcCni.kubernetesVersion", message: /is older than 1.29/ },
      { path: "segmentation:cluster.vpcCni.kubernetesVersion", message: /is older than 1.30/ },
    ],
  },
  {
    name: "rejects an unknown policy mode",
    edit: (v) => (v.policyMode = "calico"),
    expect: [{ path: "segmentation:policyMode", message: /networkPolicy|clusterTier/ }],
  },
  {
    name: "rejects an allowlist on the public controller",
    edit: (v) => (v.ingress.publicfrontal.sources = ["offices"]),
    expect: [
      { path: "segmentation:ingress.publicfrontal.sources", message: /restricts a public controller/ },
    ],
  },
  {
    name: "rejects NAT gateways of a VPC that has none",
    edit: (v) => v.ingress.internalservices.natGatewaysOf.push("kafka"),
    expect: [
      {
        path: "segmentation:ingress.internalservices.natGatewaysOf[3]",
        message: /names a VPC with no natGatewayIps/,
      },
    ],
  },
  {
    name: "rejects a private NAT address",
    edit: (v) => (v.cluster.natGatewayIps[0] = "10.20.0.5"),
    expect: [
      { path: "segmentation:cluster.natGatewayIps[0]", message: /"10\.20\.0\.5" is not a public address/ },
    ],
  },
  {
    name: "rejects a NAT entry that is a range",
    edit: (v) => (v.vpcs.publicfrontal.natGatewayIps = ["198.51.100.16/28"]),
    expect: [
      {
        path: "segmentation:vpcs.publicfrontal.natGatewayIps[0]",
        message: /is a range, not a single address/,
      },
    ],
  },
  {
    name: "rejects a data store in an unknown VPC",
    edit: (v) => (v.dataStores[0].vpc = "payments"),
    expect: [
      { path: "segmentation:dataStores[0].vpc", message: /"payments" is not a VPC in segmentation:vpcs/ },
    ],
  },
  {
    name: "rejects a data store in a VPC that is not peered",
    edit: (v) => (v.dataStores[0].vpc = "bos"),
    expect: [{ path: "segmentation:dataStores[0].vpc", message: /is not peered with the cluster's VPC/ }],
  },
  {
    name: "rejects a data store without a port",
    edit: (v) => delete v.dataStores[2].port,
    expect: [
      { path: "segmentation:dataStores[2].port", message: /is missing for data store "beneficiary-db"/ },
    ],
  },
  {
    name: "rejects a port out of range",
    edit: (v) => (v.dataStores[1].port = 70000),
    expect: [{ path: "segmentation:dataStores[1].port", message: /70000 is out of range for a port/ }],
  },
  {
    name: "rejects a data store listed twice",
    edit: (v) => v.dataStores.push({ ...v.dataStores[0] }),
    expect: [
      {
        path: "segmentation:dataStores[17].name",
        message: /is already used by segmentation:dataStores\[0\]/,
      },
    ],
  },
  {
    name: "rejects a load balancer listed twice",
    edit: (v) => v.legacyLoadBalancers.push({ ...v.legacyLoadBalancers[1] }),
    expect: [
      { path: "segmentation:legacyLoadBalancers[6].name", message: /"ecs-api" is already used/ },
      { path: "segmentation:legacyLoadBalancers[6].securityGroupId", message: /is also the group of/ },
    ],
  },
  {
    name: "rejects an unknown phase and suggests the right one",
    edit: (v) => (v.phase = "stricct"),
    expect: [
      {
        path: "segmentation:phase",
        message: /"stricct" is not one of the allowed values; did you mean "strict"\?/,
      },
    ],
  },
  {
    name: "rejects an unknown phase override on a namespace",
    edit: (v) => (v.namespaces["query-services"].phase = "enforce"),
    expect: [
      { path: "segmentation:namespaces.query-services.phase", message: /use one of migration, strict/ },
    ],
  },
  {
    name: "rejects a route table listed under two VPCs",
    edit: (v) => v.vpcs.kafka.routeTableIds.push("rtb-0f7a2d6c1b8e40021"),
    expect: [
      {
        path: "segmentation:vpcs.publicfrontal.routeTableIds[0]",
        message: /is already listed under VPC "kafka"/,
      },
    ],
  },
  {
    name: "rejects a VPC in an account that is not configured",
    edit: (v) => (v.vpcs.publicfrontal.account = "shared"),
    expect: [
      {
        path: "segmentation:vpcs.publicfrontal.account",
        message: /is not an account in segmentation:accounts/,
      },
    ],
  },
  {
    name: "rejects a CIDR listed twice in one list",
    edit: (v) => v.sources.offices.push("192.0.2.0/28"),
    expect: [{ path: "segmentation:sources.offices[2]", message: /is listed twice/ }],
  },
  {
    name: "rejects a VPC the area rules need but the config lacks",
    edit: (v) => {
      delete v.vpcs.kafka;
      v.dataStores = v.dataStores.filter((store: Values) => store.vpc !== "kafka");
    },
    expect: [
      {
        path: "segmentation:vpcs.kafka",
        message: /is missing; the area rules give publicfrontal, backoffice, internalservices egress to it/,
      },
    ],
  },
  {
    name: "rejects an unknown config key and suggests the known one",
    edit: (v) => (v.namespace = { api: { area: "publicfrontal" } }),
    expect: [
      { path: "segmentation:namespace", message: /is not a known config key; did you mean "namespaces"\?/ },
    ],
  },
  {
    name: "rejects an unknown field and suggests the known one",
    edit: (v) => (v.cluster.cidr = ["10.20.0.0/19"]),
    expect: [{ path: "segmentation:cluster.cidr", message: /is not a known field; did you mean "cidrs"\?/ }],
  },
  {
    name: "rejects a missing required key",
    edit: (v) => delete v.cluster,
    expect: [{ path: "segmentation:cluster", message: /\(missing\) is missing/ }],
  },
  {
    name: "rejects a malformed account role ARN",
    edit: (v) => (v.accounts.legacy.roleArn = "arn:aws:iam::2222:role/x"),
    expect: [{ path: "segmentation:accounts.legacy.roleArn", message: /is not an IAM role ARN/ }],
  },
  {
    name: "rejects denying label changes with no platform principal to make them",
    edit: (v) => (v.labelIntegrity = { enforcement: "deny" }),
    expect: [
      {
        path: "segmentation:labelIntegrity.platformPrincipals",
        message: /would refuse the stack's own updates/,
      },
    ],
  },
  {
    name: "rejects a negative count of existing rules",
    edit: (v) => (v.legacyLoadBalancers[0].existingInboundRules = -1),
    expect: [
      {
        path: "segmentation:legacyLoadBalancers[0].existingInboundRules",
        message: /-1 is out of range; use 0 or more/,
      },
    ],
  },
  {
    name: "reports every problem at once",
    edit: (v) => {
      v.cluster.cidrs[0] = "10.20.0.1/19";
      v.namespaces.api.area = "frontend";
      v.dataStores[1].port = 0;
    },
    expect: [
      { path: "segmentation:cluster.cidrs[0]", message: /host bits/ },
      { path: "segmentation:dataStores[1].port", message: /out of range/ },
      { path: "segmentation:namespaces.api.area", message: /is not an area/ },
    ],
  },
];

describe("stack config validation", () => {
  it("accepts the dev stack's config", () => {
    const { issues, config } = checkConfig(rawConfigOf(devConfig()));
    assert.deepEqual(issues.map(formatProblem), []);
    assert.equal(config?.cluster.name, "dev-eks");
    assert.equal(config?.namespaces.length, DEV.namespaces);
  });

  for (const testCase of CASES) {
    it(testCase.name, () => {
      const { issues } = checkConfig(rawConfigOf(editedConfig(testCase.edit)));
      const lines = issues.map(formatProblem);
      assert.equal(
        issues.length,
        testCase.expect.length,
        `expected ${testCase.expect.length} problem(s), got:\n${lines.join("\n")}`,
      );
      for (const expected of testCase.expect) {
        const match = issues.find(
          (issue) => issue.path === expected.path && expected.message.test(formatProblem(issue)),
        );
        assert.ok(
          match,
          `no problem at ${expected.path} matching ${expected.message}; got:\n${lines.join("\n")}`,
        );
      }
    });
  }

  it("throws one ConfigError listing every problem", () => {
    const config = editedConfig((v) => {
      v.phase = "later";
      v.sources.vpnIt = ["192.0.2.33"];
    });
    assert.throws(
      () => parseConfig(rawConfigOf(config)),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 2 &&
        /^Invalid stack config \(2 problems\):\n {2}segmentation:/.test(error.message),
    );
  });

  it("rejects a namespace listed twice in the stack file, naming the line", () => {
    const text =
      "config:\n  segmentation:namespaces:\n    payments: {area: backoffice}\n    payments: {area: internalservices}\n";
    assert.throws(
      () => parseStackFile(text, "Pulumi.dev.yaml"),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        /^ {2}Pulumi\.dev\.yaml line 4: "payments" appears twice/m.test(error.message),
    );
  });
});

describe("normalised config", () => {
  it("resolves each non-public controller's allowlist to its sources' CIDRs and NAT addresses", () => {
    const config = parseConfig(rawConfigOf(devConfig()));
    const internal = config.ingress.find((c) => c.area === "internalservices");
    assert.deepEqual(internal?.allowedCidrs, [
      "192.0.2.48/28",
      "198.51.100.20/32",
      "198.51.100.21/32",
      "198.51.100.30/32",
      "198.51.100.31/32",
      "203.0.113.10/32",
      "203.0.113.11/32",
      "203.0.113.12/32",
    ]);
    assert.equal(config.ingress.find((c) => c.area === "publicfrontal")?.public, true);
  });

  it("gives each namespace its effective phase", () => {
    const config = parseConfig(rawConfigOf(devConfig()));
    const phaseOf = (name: string) => config.namespaces.find((ns) => ns.name === name)?.phase;
    assert.equal(phaseOf("query-services"), "strict");
    assert.equal(phaseOf("api"), "migration");
  });

  it("opens Kafka only on request", () => {
    const config = parseConfig(rawConfigOf(devConfig()));
    assert.equal(config.dataStores.find((s) => s.kind === "msk")?.openFromCluster, false);
    const others = config.dataStores.filter((s) => s.kind !== "msk");
    assert.equal(others.length, DEV.dataStores - 1);
    assert.ok(others.every((s) => s.openFromCluster));
  });

  it("does not depend on the order of namespaces, VPCs, stores or load balancers", () => {
    const reversed = editedConfig((v) => {
      v.namespaces = Object.fromEntries(Object.entries(v.namespaces).reverse());
      v.vpcs = Object.fromEntries(Object.entries(v.vpcs).reverse());
      v.dataStores.reverse();
      v.legacyLoadBalancers.reverse();
      v.sources.offices.reverse();
    });
    assert.deepEqual(parseConfig(rawConfigOf(reversed)), parseConfig(rawConfigOf(devConfig())));
  });
});

describe("how a problem reads", () => {
  it("ends a fix that asks a question with the question mark alone", () => {
    // GIVEN a misspelt area, whose fix asks "did you mean ...?"
    const config = editedConfig((v) => (v.namespaces.payments.area = "backofice"));
    // WHEN the program refuses it
    const error = (() => {
      try {
        parseConfig(rawConfigOf(config));
      } catch (caught) {
        return caught as ConfigError;
      }
      assert.fail("the config was accepted");
    })();
    // THEN the line ends with the question, and no line anywhere ends in "?."
    assert.equal(error.problems.length, 1);
    assert.match(
      error.message,
      /segmentation:namespaces\.payments\.area: "backofice" is not an area; did you mean "backoffice"\?$/m,
    );
    assert.doesNotMatch(error.message, /\?\.$/m);
    assert.equal(error.problems[0]!.rule, "allowed-values");
  });
});
