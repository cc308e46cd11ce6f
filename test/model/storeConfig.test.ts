import assert from "node:assert/strict";
import { formatProblem } from "../../core/problems";
import { checkConfig, parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { clientKey, planClientGroups, storeAccessWarnings } from "../../model/storeAccess";
import { editedConfig } from "../support/stack";

type Values = Record<string, any>;

const storeOf = (v: Values, name: string) => v.dataStores.find((s: Values) => s.name === name);

interface BadInput {
  name: string;
  edit: (values: Values) => void;
  expect: { path: string; message: RegExp }[];
}

const CASES: BadInput[] = [
  {
    name: "refuses a client namespace the stack does not manage, suggesting the near miss",
    edit: (v) => (storeOf(v, "ebo-db").clients = [{ namespace: "eb0" }]),
    expect: [
      {
        path: "segmentation:dataStores[6].clients[0].namespace",
        message: /"eb0" is not an area namespace of the stack.*"ebo-db"; did you mean "ebo"\?/,
      },
    ],
  },
  {
    name: "refuses a store in clients phase with no clients",
    edit: (v) => {
      storeOf(v, "ebo-db").clients = [];
      storeOf(v, "ebo-db").phase = "clients";
    },
    expect: [
      {
        path: "segmentation:dataStores[6].clients",
        message: /is empty while data store "ebo-db" is in clients phase/,
      },
    ],
  },
  {
    name: "refuses a store in clients phase without the subnets its NetworkPolicies must name",
    edit: (v) => {
      storeOf(v, "ebo-db").subnets = [];
      storeOf(v, "ebo-db").phase = "clients";
    },
    expect: [
      {
        path: "segmentation:dataStores[6].subnets",
        message: /clients' NetworkPolicies must name its addresses/,
      },
    ],
  },
  {
    name: "refuses clients of a store whose rules the stack does not own (Kafka)",
    edit: (v) => {
      storeOf(v, "kafka").clients = [{ namespace: "payments" }];
    },
    expect: [
      {
        path: "segmentation:dataStores[16].clients",
        message: /clients of data store "kafka", whose group the stack manages no rule on/,
      },
    ],
  },
  {
    name: "refuses store subnets outside the store's VPC",
    edit: (v) => (storeOf(v, "ebo-db").subnets = ["10.30.1.0/24"]),
    expect: [
      {
        path: "segmentation:dataStores[6].subnets[0]",
        message: /is outside VPC "backoffice" \(10\.20\.0\.0\/16\)/,
      },
    ],
  },
  {
    name: "refuses clients of a store across an inter-Region peering, as AWS does",
    edit: (v) => {
      v.vpcs.publicfrontal.region = "eu-central-1";
      for (const store of v.dataStores)
        if (store.vpc === "publicfrontal" && store.name !== "api-db") delete store.clients;
    },
    expect: [
      {
        path: "segmentation:dataStores[9].clients",
        message: /across Regions \(eu-central-1\); AWS refuses group references/,
      },
    ],
  },
  {
    name: "needs the cluster's account id when a store in another account references a client group",
    edit: (v) => delete v.storeAccess.clusterAccountId,
    expect: [
      {
        path: "segmentation:storeAccess.clusterAccountId",
        message: /"payments-query-docs" lives in account "legacy"/,
      },
    ],
  },
  {
    name: "needs the cluster security group once a store has clients",
    edit: (v) => delete v.storeAccess.clusterSecurityGroupId,
    expect: [
      {
        path: "segmentation:storeAccess.clusterSecurityGroupId",
        message: /lose the node's, and with them kubelet probes/,
      },
    ],
  },
  {
    name: "refuses a store group over its inbound rule quota, counting pod ranges and client groups",
    edit: (v) =>
      Object.assign(storeOf(v, "ebo-db"), {
        clients: [{ namespace: "ebo" }, { namespace: "fxsuite" }],
        existingInboundRules: 57,
      }),
    expect: [
      {
        path: "segmentation:dataStores[6].clients",
        message:
          /61 inbound rules \(57 existing \+ 1 port\(s\) × \(2 pod range\(s\) \+ 2 client group\(s\)\)\), over its quota of 60/,
      },
    ],
  },
  {
    name: "refuses more groups on a pod than an interface holds",
    edit: (v) => {
      v.storeAccess.securityGroupsPerInterface = 2;
      storeOf(v, "ebo-db").clients = [{ namespace: "ebo" }];
      storeOf(v, "account-details-cache").clients = [{ namespace: "ebo", podLabels: { app: "report" } }];
    },
    expect: [
      {
        path: "segmentation:storeAccess.securityGroupsPerInterface",
        message: /below the 3 groups a pod of client ebo pods with app=report would carry/,
      },
    ],
  },
  {
    name: "refuses node types that cannot trunk (the t family, pre-Nitro generations)",
    edit: (v) => (v.storeAccess.nodeInstanceTypes = ["m6i.large", "t3.large", "m4.xlarge"]),
    expect: [
      {
        path: "segmentation:storeAccess.nodeInstanceTypes[1]",
        message: /"t3\.large" cannot trunk network interfaces/,
      },
      { path: "segmentation:storeAccess.nodeInstanceTypes[2]", message: /"m4\.xlarge" cannot trunk/ },
    ],
  },
];

describe("data store clients: config checks", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { issues } = checkConfig(rawConfigOf(editedConfig(c.edit)));
      const lines = issues.map((issue) => ({ path: issue.path, line: formatProblem(issue) }));
      assert.equal(issues.length, c.expect.length, lines.map((l) => l.line).join("\n"));
      for (const expected of c.expect) {
        assert.ok(
          lines.some((l) => l.path === expected.path && expected.message.test(l.line)),
          `no ${expected.path} matching ${expected.message}:\n${lines.map((l) => l.line).join("\n")}`,
        );
      }
    });
  }

  it("reports every problem of several stores at once, before anything is planned", () => {
    const { config, issues } = checkConfig(
      rawConfigOf(
        editedConfig((v) => {
          storeOf(v, "ebo-db").clients = [{ namespace: "nobody" }];
          Object.assign(storeOf(v, "fxsuite-db"), { clients: [], phase: "clients" });
          storeOf(v, "api-db").subnets = ["10.20.1.0/24"];
        }),
      ),
    );
    assert.equal(config, undefined);
    assert.deepEqual(issues.map((i) => i.rule).sort(), [
      "store-clients-exist",
      "store-subnets-lie-in-their-vpc",
      "stores-in-clients-phase-have-clients",
    ]);
  });
});

describe("data store clients: normalised config", () => {
  it("defaults every store to open with no clients, and dev closes only account-details-db", () => {
    const config = parseConfig(rawConfigOf(editedConfig(() => {})));
    assert.deepEqual(
      config.dataStores.filter((s) => s.phase === "clients").map((s) => s.name),
      ["account-details-db"],
    );
    assert.deepEqual(storeOf({ dataStores: config.dataStores }, "bos-db").clients, []);
  });

  it("plans the same client groups whatever the order of stores and clients", () => {
    const edit = (reverse: boolean) => (v: Values) => {
      storeOf(v, "ebo-db").clients = [
        { namespace: "ebo" },
        { namespace: "payments", podLabels: { b: "2", a: "1" } },
      ];
      if (reverse) {
        v.dataStores.reverse();
        storeOf(v, "ebo-db").clients.reverse();
      }
    };
    const groups = (reverse: boolean) =>
      planClientGroups(parseConfig(rawConfigOf(editedConfig(edit(reverse)))));
    assert.deepEqual(groups(true), groups(false));
    assert.ok(groups(false).some((g) => g.key === "payments-a-1-b-2" && g.stores.join() === "ebo-db"));
  });

  it("names a client group by namespace and labels only", () => {
    assert.equal(clientKey({ namespace: "payments", podLabels: {} }), "payments");
    assert.equal(
      clientKey({ namespace: "payments", podLabels: { "app.kubernetes.io/name": "api" } }),
      "payments-app-kubernetes-io-name-api",
    );
  });

  it("warns, saying what it exposes, when a store's subnets overlap the pod ranges", () => {
    const config = parseConfig(
      rawConfigOf(editedConfig((v) => (storeOf(v, "ebo-db").subnets = ["10.20.8.0/28"]))),
    );
    const warnings = storeAccessWarnings(config);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /ebo-db: subnets 10\.20\.8\.0\/28 overlap the pod ranges .* every namespace of every area reaches the store/,
    );
    assert.deepEqual(storeAccessWarnings(parseConfig(rawConfigOf(editedConfig(() => {})))), []);
  });
});
