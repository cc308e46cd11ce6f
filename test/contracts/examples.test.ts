/**
 * The README's three example contracts, proved with the evaluator: over a probe estate of the dev stack
 * (every area namespace with an endpoint pod and a plain one, the controllers, monitoring, vault, DNS, a
 * namespace without an area, addresses outside the cluster, and pods carrying each contract's client
 * labels in every area), the full reachability matrix with the platform's defaults alone is compared with
 * the matrix once the contract's policies are added, in the namespace's phase and in the other one. The
 * contract that crosses areas is proved over prod, in NetworkPolicy mode, the only mode where a contract
 * may cross: dev's cluster tier keeps it shut.
 *
 * What each contract is meant to open is written here as a predicate over the two ends, from the contract's
 * purpose; the evaluator decides the rest. The contract must open exactly the intended connections the
 * defaults do not already allow, close nothing, and leave every intended connection allowed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ContractReachability,
  type ContractFlow as Flow,
  flowText,
  type ProbeEndpoint,
  platformPolicies,
  probeEstate,
  reachabilityUnder,
  withPhase,
} from "../../analysis/contractEstate";
import { addressIn } from "../../core/cidr";
import type { Area, Phase } from "../../model/areas";
import { parseConfig } from "../../model/config";
import {
  type Contract,
  parseContractFile,
  planContract,
  toContractNetworkPolicy,
} from "../../model/contracts";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { devConfig, ROOT } from "../support/stack";

const DEV = parseConfig(rawConfigOf(devConfig()));
/** Prod runs in NetworkPolicy mode, where a contract may open another area's pods into its namespace. */
const PROD = parseConfig(rawConfigOf(readStackFile(join(ROOT, "Pulumi.prod.yaml")).config));

function example(name: string): Contract {
  const parsed = parseContractFile(readFileSync(join(ROOT, "examples", "contracts", `${name}.yaml`), "utf8"));
  assert.ok(parsed.contract, name);
  return parsed.contract;
}

const pod = (end: ProbeEndpoint, namespace: string, labels: Record<string, string>) =>
  end.pod?.namespace === namespace && Object.entries(labels).every(([k, v]) => end.pod?.labels?.[k] === v);

/** The port as the destination receives it: a named port resolved against its container ports. */
function port(flow: Flow): string {
  const { port: value, protocol = "TCP" } = flow.port;
  const named = typeof value === "string" ? flow.to.pod?.ports?.find((p) => p.name === value) : undefined;
  return `${protocol}/${named ? named.containerPort : value}`;
}

interface Outcome {
  before: ContractReachability;
  after: ContractReachability;
  opened: Flow[];
}

function evaluate(contract: Contract, phase: Phase, stack = DEV): Outcome {
  const config = withPhase(stack, contract.namespace, phase);
  const estate = probeEstate(config, contract);
  const defaults = platformPolicies(config);
  const before = reachabilityUnder(estate, defaults);
  const after = reachabilityUnder(estate, defaults, planContract(contract).map(toContractNetworkPolicy));
  return { before, after, opened: after.allowedBeyond(before) };
}

const keys = (flows: readonly Flow[]) => flows.map(flowText).sort();

/** The contract opens exactly the intended connections the defaults deny, closes nothing, allows them all. */
function assertOpensExactly(outcome: Outcome, intended: (flow: Flow) => boolean): Flow[] {
  const { before, after, opened } = outcome;
  const wanted = after.connections(intended);
  assert.deepEqual(keys(before.allowedBeyond(after)), [], "the contract closes connections");
  assert.deepEqual(
    keys(wanted.filter((flow) => !after.allowsFlow(flow))),
    [],
    "intended connections stay denied",
  );
  assert.deepEqual(keys(opened), keys(wanted.filter((flow) => !before.allowsFlow(flow))));
  return wanted;
}

const areaOf = (end: ProbeEndpoint): Area | undefined => end.area;

describe("the example contracts open exactly what they mean, in both phases", () => {
  describe("a query service reached by the publicfrontal channels (query-services, strict in dev)", () => {
    const contract = example("query-services");
    const client = { "query-services-client": "true" };
    const intended = (flow: Flow) =>
      areaOf(flow.from) === "publicfrontal" &&
      pod(flow.from, flow.from.pod?.namespace ?? "", client) &&
      pod(flow.to, "query-services", { app: "query-api" }) &&
      port(flow) === "TCP/8080";

    it("strict: lets the labelled publicfrontal pods into the query API on its container port, and nothing else", () => {
      const outcome = evaluate(contract, "strict");
      const wanted = assertOpensExactly(outcome, intended);
      assert.ok(outcome.opened.length > 0, "the strict defaults keep non-endpoint pods closed");
      // Pods with the client label in other areas and namespaces without one stay out.
      const elsewhere = outcome.after.connections(
        (flow) =>
          pod(flow.from, flow.from.pod?.namespace ?? "", client) &&
          areaOf(flow.from) !== "publicfrontal" &&
          pod(flow.to, "query-services", { app: "query-api" }) &&
          port(flow) === "TCP/8080",
      );
      assert.ok(elsewhere.length >= 2, keys(elsewhere).join("\n"));
      assert.ok(
        elsewhere.every((flow) => !outcome.after.allowsFlow(flow) || outcome.before.allowsFlow(flow)),
        keys(elsewhere).join("\n"),
      );
      assert.ok(wanted.length > 0);
    });

    it("migration: opens nothing, since every publicfrontal pod already reaches internalservices", () => {
      const outcome = evaluate(contract, "migration");
      const wanted = assertOpensExactly(outcome, intended);
      assert.deepEqual(keys(outcome.opened), []);
      assert.ok(wanted.length > 0 && wanted.every((flow) => outcome.before.allowsFlow(flow)));
    });
  });

  describe("a backoffice service reached by one internalservices consumer (payments, migration in prod)", () => {
    const contract = example("payments");
    const intended = (flow: Flow) =>
      pod(flow.from, "payments-query-service", { app: "payments-projector" }) &&
      pod(flow.to, "payments", { app: "payments-api" }) &&
      port(flow) === "TCP/8080";

    for (const phase of ["migration", "strict"] as const) {
      it(`${phase}: lets the projector into the payments API on 8080, and nothing else`, () => {
        const outcome = evaluate(contract, phase, PROD);
        assertOpensExactly(outcome, intended);
        // The area rules never admit internalservices to backoffice, so every intended connection is new.
        assert.ok(outcome.opened.length > 0 && outcome.opened.every(intended));
        // The Service's port 80 stays closed: the policy names the container port.
        assert.ok(outcome.opened.every((flow) => port(flow) !== "TCP/80"));
      });

      it(`${phase}: opens nothing in dev, whose cluster tier keeps internalservices out of backoffice`, () => {
        const outcome = evaluate(contract, phase);
        assert.equal(DEV.policyMode, "clusterTier");
        const wanted = outcome.after.connections(intended);
        assert.ok(wanted.length > 0);
        assert.deepEqual(keys(outcome.opened), []);
        assert.ok(wanted.every((flow) => !outcome.after.allowsFlow(flow)));
      });
    }
  });

  describe("a strict namespace exposing one endpoint (payments-query-service, strict in dev)", () => {
    const contract = example("payments-query-service");
    const partner = "172.20.8.0/24";
    const cache = (flow: Flow) =>
      (pod(flow.from, "payments-query-service", { app: "payments-query-api" }) ||
        pod(flow.from, "payments-query-service", { app: "payments-projector" })) &&
      pod(flow.to, "payments-query-service", { app: "payments-query-cache" }) &&
      port(flow) === "TCP/6379";
    const settlement = (flow: Flow) =>
      pod(flow.from, "payments-query-service", { app: "payments-projector" }) &&
      "ip" in flow.to.endpoint &&
      addressIn(flow.to.endpoint.ip, partner) &&
      port(flow) === "TCP/443";
    const intended = (flow: Flow) => cache(flow) || settlement(flow);

    it("strict: opens the cache to the API and the projector, and the partner range to the projector", () => {
      const outcome = evaluate(contract, "strict");
      assertOpensExactly(outcome, intended);
      assert.ok(outcome.opened.some(cache) && outcome.opened.some(settlement));
    });

    it("migration: only the partner range is new; the namespace already talks to itself", () => {
      const outcome = evaluate(contract, "migration");
      assertOpensExactly(outcome, intended);
      assert.ok(outcome.opened.length > 0 && outcome.opened.every(settlement));
    });

    it("strict: the endpoint label opens the API to internalservices and publicfrontal, and nothing else of the namespace", () => {
      const { after } = evaluate(contract, "strict");
      const fromArea = (area: Area) => (flow: Flow) =>
        areaOf(flow.from) === area &&
        flow.from.pod?.namespace !== "payments-query-service" &&
        port(flow) === "TCP/8080";
      const to = (app: string) => (flow: Flow) => pod(flow.to, "payments-query-service", { app });
      for (const [area, reachesApi] of [
        ["internalservices", true],
        ["publicfrontal", true],
        ["backoffice", false],
      ] as const) {
        const toApi = after.connections((flow) => fromArea(area)(flow) && to("payments-query-api")(flow));
        assert.ok(toApi.length > 0);
        assert.ok(
          toApi.every((flow) => after.allowsFlow(flow) === reachesApi),
          `${area} → API`,
        );
        for (const closed of ["payments-projector", "payments-query-cache"]) {
          const flows = after.connections((flow) => fromArea(area)(flow) && to(closed)(flow));
          assert.ok(
            flows.length > 0 && flows.every((flow) => !after.allowsFlow(flow)),
            `${area} → ${closed}`,
          );
        }
      }
    });
  });
});
