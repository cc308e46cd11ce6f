import assert from "node:assert/strict";
import {
  isWholeInternet,
  MANAGED_PREFIX_LIST,
  MANAGED_PREFIX_LIST_ENTRY,
  publicIngressProblems,
  type ResourceLike,
  SECURITY_GROUP,
  SECURITY_GROUP_INGRESS_RULE,
  SECURITY_GROUP_RULE,
} from "../../policy/securityGroups";

const NONE = { publicSecurityGroups: [] };

function ingressRule(props: Record<string, unknown>): ResourceLike {
  return {
    type: SECURITY_GROUP_INGRESS_RULE,
    name: "store-bos-db-5432",
    props: {
      securityGroupId: "sg-0a11b2c3d4e5f6005",
      ipProtocol: "tcp",
      fromPort: 5432,
      toPort: 5432,
      ...props,
    },
  };
}

function classicRule(props: Record<string, unknown>): ResourceLike {
  return {
    type: SECURITY_GROUP_RULE,
    name: "bos-db-classic",
    props: {
      securityGroupId: "sg-0a11b2c3d4e5f6005",
      protocol: "tcp",
      fromPort: 5432,
      toPort: 5432,
      ...props,
    },
  };
}

function inlineGroup(props: Record<string, unknown>): ResourceLike {
  return { type: SECURITY_GROUP, name: "reports-db", props };
}

describe("policy: no security group open to the internet", () => {
  const cases: { name: string; resource: ResourceLike; violations: number }[] = [
    {
      name: "refuses an ingress rule from 0.0.0.0/0",
      resource: ingressRule({ cidrIpv4: "0.0.0.0/0" }),
      violations: 1,
    },
    { name: "refuses an ingress rule from ::/0", resource: ingressRule({ cidrIpv6: "::/0" }), violations: 1 },
    {
      name: "accepts an ingress rule from the cluster's CIDR",
      resource: ingressRule({ cidrIpv4: "10.20.0.0/19" }),
      violations: 0,
    },
    {
      name: "accepts an ingress rule from a prefix list",
      resource: ingressRule({ prefixListId: "pl-0123456789abcdef0" }),
      violations: 0,
    },
    {
      name: "refuses a classic ingress rule with 0.0.0.0/0 among its CIDRs",
      resource: classicRule({ type: "ingress", cidrBlocks: ["10.20.0.0/19", "0.0.0.0/0"] }),
      violations: 1,
    },
    {
      name: "refuses a classic ingress rule open to both families",
      resource: classicRule({ type: "ingress", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }),
      violations: 2,
    },
    {
      name: "accepts a classic egress rule to 0.0.0.0/0",
      resource: classicRule({ type: "egress", cidrBlocks: ["0.0.0.0/0"] }),
      violations: 0,
    },
    {
      name: "refuses inline ingress from 0.0.0.0/0 on a declared group",
      resource: inlineGroup({
        ingress: [
          { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.20.0.0/19"] },
          { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] },
        ],
      }),
      violations: 1,
    },
    {
      name: "accepts inline egress to 0.0.0.0/0",
      resource: inlineGroup({
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      }),
      violations: 0,
    },
    {
      name: "refuses a prefix list with an entry for the whole internet",
      resource: {
        type: MANAGED_PREFIX_LIST,
        name: "nat",
        props: { entries: [{ cidr: "203.0.113.10/32" }, { cidr: "0.0.0.0/0" }] },
      },
      violations: 1,
    },
    {
      name: "refuses a prefix-list entry for the whole internet",
      resource: { type: MANAGED_PREFIX_LIST_ENTRY, name: "nat-any", props: { cidr: "0.0.0.0/0" } },
      violations: 1,
    },
    {
      name: "accepts a prefix list of NAT addresses",
      resource: {
        type: MANAGED_PREFIX_LIST,
        name: "nat",
        props: { entries: [{ cidr: "203.0.113.10/32" }, { cidr: "203.0.113.11/32" }] },
      },
      violations: 0,
    },
    {
      name: "ignores resources that are not security-group rules",
      resource: { type: "aws:ec2/vpc:Vpc", name: "vpc", props: { cidrBlock: "0.0.0.0/0" } },
      violations: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(publicIngressProblems(c.resource, NONE).length, c.violations);
    });
  }

  it("names the resource, the group, the source and the ports, and the way out", () => {
    const [problem] = publicIngressProblems(ingressRule({ cidrIpv4: "0.0.0.0/0" }), NONE);
    assert.match(
      problem!,
      /^store-bos-db-5432 opens security group sg-0a11b2c3d4e5f6005 to 0\.0\.0\.0\/0 \(tcp 5432\)/,
    );
    assert.match(problem!, /publicSecurityGroups/);
  });

  it("describes all-traffic and port-range rules", () => {
    const all = publicIngressProblems(ingressRule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "-1" }), NONE);
    assert.match(all[0]!, /\(all traffic\)/);
    const range = publicIngressProblems(
      classicRule({ type: "ingress", cidrBlocks: ["0.0.0.0/0"], toPort: 5440 }),
      NONE,
    );
    assert.match(range[0]!, /\(tcp 5432-5440\)/);
  });

  it("lets a group listed in publicSecurityGroups face the internet, and no other", () => {
    const options = { publicSecurityGroups: ["sg-0a11b2c3d4e5f6005"] };
    assert.deepEqual(publicIngressProblems(ingressRule({ cidrIpv4: "0.0.0.0/0" }), options), []);
    const other = ingressRule({ cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-0a11b2c3d4e5f6001" });
    assert.equal(publicIngressProblems(other, options).length, 1);
  });

  it("says a prefix list opens every group that references it", () => {
    const entry: ResourceLike = { type: MANAGED_PREFIX_LIST_ENTRY, name: "nat-any", props: { cidr: "::/0" } };
    assert.match(
      publicIngressProblems(entry, NONE)[0]!,
      /^nat-any puts ::\/0 in a prefix list, which opens every/,
    );
  });

  it("lets a declared group be listed by its Pulumi name", () => {
    const group = inlineGroup({
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
    });
    assert.deepEqual(publicIngressProblems(group, { publicSecurityGroups: ["reports-db"] }), []);
  });

  it("needs the group id only to decide an exemption", () => {
    // During preview the id of a group created in the same update is unknown, and reading it throws.
    const unknownGroup = (cidr: string): ResourceLike => ({
      type: SECURITY_GROUP_INGRESS_RULE,
      name: "rule",
      props: {
        cidrIpv4: cidr,
        get securityGroupId(): string {
          throw new Error("unknown during preview");
        },
      },
    });
    assert.deepEqual(
      publicIngressProblems(unknownGroup("10.20.0.0/19"), { publicSecurityGroups: ["sg-1"] }),
      [],
    );
    assert.throws(() => publicIngressProblems(unknownGroup("0.0.0.0/0"), { publicSecurityGroups: ["sg-1"] }));
    const [problem] = publicIngressProblems(unknownGroup("0.0.0.0/0"), NONE);
    assert.match(problem!, /^rule opens its security group to 0\.0\.0\.0\/0/);
  });
});

describe("policy: what counts as the whole internet", () => {
  const cases: [unknown, boolean][] = [
    ["0.0.0.0/0", true],
    ["::/0", true],
    ["0.0.0.0/00", true],
    [" 0.0.0.0/0 ", true],
    ["0.0.0.0/1", false],
    ["10.0.0.0/8", false],
    ["0.0.0.0", false],
    ["0.0.0.0/", false],
    [undefined, false],
  ];
  for (const [cidr, expected] of cases) {
    it(`${expected ? "counts" : "does not count"} ${JSON.stringify(cidr)}`, () => {
      assert.equal(isWholeInternet(cidr), expected);
    });
  }
});
