import assert from "node:assert/strict";
import type { PlannedObjects } from "../../analysis/estate";
import { reachabilityOf } from "../../analysis/reachability";
import {
  answerText,
  awsFactsOf,
  defaultSources,
  StoreAccessModel,
  storeAccessTable,
} from "../../analysis/storeAccess";
import { diffMarkdown, diffPlans } from "../../cli/plan/diff";
import { storeAccessBlocks } from "../../cli/plan/report";
import type { Namespace } from "../../core/k8s";
import { AREAS } from "../../model/areas";
import { planClusterPolicies } from "../../model/clusterPolicies";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { planKubernetes } from "../../model/kubernetes";
import { toNetworkPolicy } from "../../model/policy";
import { rawConfigOf } from "../../model/stackFile";
import { closedStores, isClient } from "../../model/storeAccess";
import { editedConfig } from "../support/stack";

type Values = Record<string, any>;

/** The plan's namespaces and policies, the cluster tier's included, straight from the model. */
function objectsOf(config: SegmentationConfig): PlannedObjects {
  const plans = planKubernetes(config);
  return {
    namespaces: plans.map(
      ({ namespace }): Namespace => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace.name, labels: { ...namespace.labels } },
      }),
    ),
    policies: plans.flatMap((p) => p.policies.map(toNetworkPolicy)),
    clusterPolicies: planClusterPolicies(config).map((p) => p.object),
  };
}

const configOf = (edit: (v: Values) => void = () => {}) => parseConfig(rawConfigOf(editedConfig(edit)));

/** Every source of the model against every store in clients phase: reachable exactly from its clients. */
function assertExactlyClients(config: SegmentationConfig, model: StoreAccessModel): number {
  let checked = 0;
  for (const store of closedStores(config)) {
    for (const source of defaultSources(config)) {
      const answer = model.ask(source.namespace, source.podLabels, { store: store.name });
      const client = isClient(store, source.namespace, source.podLabels);
      assert.equal(answer.verdict, client ? "allow" : "deny", answerText(answer));
      if (client) assert.ok(answer.layers.every((layer) => layer.allowed));
      checked++;
    }
  }
  return checked;
}

describe("store access across layers: dev", () => {
  const config = configOf();
  const objects = objectsOf(config);
  const model = new StoreAccessModel(config, objects);

  it("reaches each store in clients phase from exactly its clients, through both layers", () => {
    assert.ok(assertExactlyClients(config, model) >= 23);
  });

  it("stops a non-client of the same area in the Kubernetes layer first, and the security group would too", () => {
    const answer = model.ask("ebo", {}, { store: "account-details-db" });
    assert.equal(answer.decidedBy, "kubernetes");
    assert.match(
      answer.layers[0]!.rule,
      /no egress rule of ebo\/netseg-allow-egress, .* admits 10\.20\.96\.4 on 5432/,
    );
    const group = answer.layers.find((layer) => layer.layer === "security-group");
    assert.equal(group?.allowed, false);
  });

  it("quotes the rules that admit the client, in both layers", () => {
    const answer = model.ask("account-details", {}, { store: "account-details-db" });
    assert.match(
      answer.layers[0]!.rule,
      /account-details\/netseg-allow-egress-store-account-details-db egress\[0\]/,
    );
    assert.match(answer.layers[1]!.rule, /client-account-details-port-0 on sg-0a11b2c3d4e5f6001/);
  });

  it("closes the flow in the Kubernetes layer alone when the client's store policy is taken away", () => {
    const without: PlannedObjects = {
      ...objects,
      policies: objects.policies.filter(
        (p) => p.metadata?.name !== "netseg-allow-egress-store-account-details-db",
      ),
    };
    const answer = new StoreAccessModel(config, without).ask(
      "account-details",
      {},
      { store: "account-details-db" },
    );
    assert.equal(answer.verdict, "deny");
    assert.equal(answer.decidedBy, "kubernetes");
    assert.ok(answer.layers.filter((layer) => layer.layer !== "kubernetes").every((layer) => layer.allowed));
  });

  it("closes the flow in the security-group layer alone when the store's client rule is taken away", () => {
    const facts = awsFactsOf(config);
    const aws = {
      ...facts.aws,
      dataStores: facts.aws.dataStores.map((d) =>
        d.store === "account-details-db" ? { ...d, clientRules: [] } : d,
      ),
    };
    const answer = new StoreAccessModel(config, objects, { ...facts, aws }).ask(
      "account-details",
      {},
      {
        store: "account-details-db",
      },
    );
    assert.equal(answer.decidedBy, "security-group");
    assert.match(answer.layers[1]!.rule, /no inbound rule of sg-0a11b2c3d4e5f6001 \(account-details-db\)/);
    assert.ok(
      answer.layers.filter((layer) => layer.layer !== "security-group").every((layer) => layer.allowed),
    );
  });

  it("keeps an open store reachable from its area, by the pod-range rule, and not from other areas", () => {
    const fromArea = model.ask("documents", {}, { store: "ebo-db" });
    assert.equal(fromArea.verdict, "allow", answerText(fromArea));
    assert.match(fromArea.layers[1]!.rule, /pod-range-0-port-0/);
    assert.equal(model.ask("api", {}, { store: "ebo-db" }).decidedBy, "kubernetes");
  });

  it("follows a store in a peered VPC through routes and the peering, both ways", () => {
    const answer = model.ask("sepa-core", {}, { store: "sepa-db" });
    assert.equal(answer.verdict, "allow", answerText(answer));
    assert.deepEqual(
      answer.layers.map((layer) => layer.layer),
      ["kubernetes", "security-group", "route-out", "peering", "route-back"],
    );
  });

  it("answers for any address of a peered VPC, saying which layer decides", () => {
    const answer = model.ask("sepa-core", {}, { address: "10.40.200.7", port: 8443 });
    assert.equal(answer.verdict, "allow");
    const blocked = model.ask("api", {}, { address: "10.40.200.7", port: 8443 });
    assert.equal(blocked.decidedBy, "kubernetes");
  });
});

describe("store access across layers: a generated estate", () => {
  // GIVEN 30 namespaces over the three areas, one store per area VPC in clients phase with two clients of
  // its area (one of them only for labelled pods), and the dev stores open
  const config = configOf((v) => {
    v.namespaces = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`team-${i}`, { area: AREAS[i % 3] }]),
    );
    for (const store of v.dataStores) delete store.clients;
    const vpcOf = {
      publicfrontal: "publicfrontal",
      backoffice: "backoffice",
      internalservices: "natonly",
    } as const;
    const second = { publicfrontal: 30, backoffice: 20, internalservices: 40 } as const;
    v.dataStores = v.dataStores.filter((s: Values) => s.kind === "msk");
    AREAS.forEach((area, a) => {
      v.dataStores.push({
        name: `${area}-db`,
        kind: "rds",
        vpc: vpcOf[area],
        securityGroupId: `sg-0f00000000000000${a}`,
        port: 5432,
        subnets: [`10.${second[area]}.150.0/28`],
        phase: "clients",
        clients: [{ namespace: `team-${a}` }, { namespace: `team-${a + 3}`, podLabels: { app: "ledger" } }],
      });
    });
  });
  const model = new StoreAccessModel(config, objectsOf(config), awsFactsOf(config), [
    ...defaultSources(config),
    { namespace: "team-3", podLabels: { app: "ledger", tier: "api" } },
  ]);

  it("reaches each store from exactly its clients, labelled pods included, through both layers", () => {
    assert.equal(closedStores(config).length, 3);
    assert.ok(assertExactlyClients(config, model) >= 3 * 30);
    // AND a pod with more labels than the client names is still a client; one without them is not
    assert.equal(
      model.ask("team-3", { app: "ledger", tier: "api" }, { store: "publicfrontal-db" }).verdict,
      "allow",
    );
    assert.equal(model.ask("team-3", {}, { store: "publicfrontal-db" }).verdict, "deny");
  });
});

describe("store access across layers: the plan report's namespace × store table", () => {
  it("marks the reached cells and, elsewhere, the layer that refuses", () => {
    const config = configOf();
    const blocks = storeAccessBlocks(storeAccessTable(new StoreAccessModel(config, objectsOf(config))));
    const table = blocks.find((b) => b.kind === "table");
    assert.ok(table && table.kind === "table");
    const column = table.header.indexOf("account-details-db (clients)");
    assert.ok(column > 0, table.header.join(" | "));
    const reached = table.rows.filter((row) => row[column] === "●").map((row) => row[0]);
    assert.deepEqual(reached, ["account-details"]);
    assert.equal(table.rows.length, config.namespaces.length);
    // AND an open store of backoffice is reached from backoffice's namespaces, refused by policy elsewhere
    const ebo = table.header.indexOf("ebo-db");
    const apiRow = table.rows.find((row) => row[0] === "api");
    assert.equal(apiRow?.[ebo], "· policy");
  });
});

describe("store access across layers: the PR diff of a store's move to clients phase", () => {
  it("lists exactly the flows the move closes, each with the layer that now refuses", () => {
    // GIVEN dev with ebo-db naming ebo as its client, open (base) and then in clients phase (head)
    const side = (phase: "open" | "clients") => {
      const config = configOf((v) => (v.dataStores.find((s: Values) => s.name === "ebo-db").phase = phase));
      const objects = objectsOf(config);
      return {
        reachability: reachabilityOf(config, objects),
        resources: [],
        storeAccess: storeAccessTable(new StoreAccessModel(config, objects)),
        config,
      };
    };
    const base = side("open");
    const head = side("clients");
    const diff = diffPlans(base, head);
    // THEN every backoffice namespace but ebo loses ebo-db, refused by its NetworkPolicies, and nothing opens
    const losing = base.config.namespaces
      .filter((ns) => ns.area === "backoffice" && ns.name !== "ebo")
      .map((ns) => ns.name);
    assert.deepEqual(diff.storeAccess?.opened, []);
    assert.deepEqual(
      diff.storeAccess?.closed.map((line) => line.split(" → ")[0]),
      losing.sort(),
    );
    assert.ok(
      diff.storeAccess?.closed.every((line) => /ebo-db:3306: now refused by kubernetes: /.test(line)),
    );
    assert.match(diffMarkdown(diff), /#### Data store access\n\n\*\*0 opened, 9 closed\*\*/);
  });
});
