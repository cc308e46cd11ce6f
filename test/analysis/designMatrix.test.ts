/**
 * Every cell of DESIGN.md section 2, decided by the evaluator over the policies the real program declares
 * under mocks for the dev stack (and for the dev stack switched to the strict phase everywhere).
 */
import assert from "node:assert/strict";
import { probeEstate, SERVICE_PORT } from "../../analysis/estate";
import { externalDestinations, internetAddress } from "../../analysis/expectations";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import { type Endpoint, NetworkPolicyEvaluator, type Protocol } from "../../evaluator";
import { AREAS, type Area } from "../../model/areas";
import { parseConfig } from "../../model/config";
import { controllerIdentity } from "../../model/controllers";
import { rawConfigOf } from "../../model/stackFile";
import {
  EGRESS,
  egressRowOf,
  MIGRATION_INGRESS,
  type SourceRow,
  STRICT_INGRESS,
  WORKAROUND_NAMESPACES,
} from "../support/designTables";
import { devConfig, devRun, editedConfig, runStack } from "../support/stack";
import { DEV } from "../support/stackCounts";

/** Namespaces of the dev stack that play each part in the tables. */
const DESTINATION: Record<Area, string> = {
  publicfrontal: "api",
  backoffice: "ebo",
  internalservices: "sepa-core",
};
const SIBLING: Record<Area, string> = {
  publicfrontal: "webhooks",
  backoffice: "fxsuite",
  internalservices: "sherlock",
};
const MEMBER: Record<Area, string> = {
  publicfrontal: "token-io",
  backoffice: "documents",
  internalservices: "email-service",
};

type Stack = {
  decide(from: Endpoint, to: Endpoint, port: number, protocol?: Protocol): string;
  internet: string;
};

async function stack(config: Record<string, string>, reuseDev: boolean): Promise<Stack> {
  const run = reuseDev ? await devRun() : await runStack(config);
  const parsed = parseConfig(rawConfigOf(config));
  const { estate } = probeEstate(parsed, plannedObjects(manifestsOf(run.resources)));
  const evaluator = new NetworkPolicyEvaluator(estate);
  return {
    decide: (from, to, port, protocol = "TCP") => evaluator.probe({ from, to, port, protocol }).verdict,
    internet: internetAddress(parsed),
  };
}

const pod = (namespace: string, name: "endpoint" | "worker"): Endpoint => ({ namespace, pod: name });
const controller = (area: Area): Endpoint => ({
  namespace: controllerIdentity(area).namespace,
  pod: "controller",
});
const OTHERS = (area: Area) => AREAS.filter((other) => other !== area);

/** The sources a row of the ingress tables stands for, towards a namespace of `area`. */
function sourcesFor(row: SourceRow, area: Area, internet: string): Endpoint[] {
  switch (row) {
    case "same namespace":
      return [pod(DESTINATION[area], "worker")];
    case "another namespace of the same area":
      return [pod(SIBLING[area], "worker")];
    case "a namespace in publicfrontal":
    case "a namespace in backoffice":
    case "a namespace in internalservices": {
      const source = row.split(" ").at(-1) as Area;
      return [pod(source === area ? MEMBER[area] : DESTINATION[source], "worker")];
    }
    case "A's own ingress controller":
      return [controller(area)];
    case "another area's ingress controller":
      return OTHERS(area).map(controller);
    case "monitoring":
      return [{ namespace: "monitoring", pod: "prometheus" }];
    case "a namespace with no area label":
      return [{ namespace: "default", pod: "stranger" }];
    case "an address outside the cluster":
      return [{ ip: internet }];
  }
}

describe("the design's reachability matrix on the dev stack", () => {
  let migration: Stack;
  const devParsed = parseConfig(rawConfigOf(devConfig()));
  let strict: Stack;
  before(async () => {
    migration = await stack(devConfig(), true);
    // The same estate with every namespace strict, and instance metadata allowed to show the switch works.
    strict = await stack(
      editedConfig((v) => {
        for (const ns of Object.values<any>(v.namespaces)) ns.phase = "strict";
        v.egress.instanceMetadata = "allow";
      }),
      false,
    );
  });

  describe("migration phase: ingress", () => {
    for (const [row, cells] of Object.entries(MIGRATION_INGRESS) as [SourceRow, Record<Area, string>][]) {
      for (const area of AREAS) {
        it(`${row} → a pod of ${area} (${DESTINATION[area]}) is ${cells[area]}`, () => {
          for (const from of sourcesFor(row, area, migration.internet)) {
            for (const target of ["endpoint", "worker"] as const) {
              const to = pod(DESTINATION[area], target);
              assert.equal(
                migration.decide(from, to, SERVICE_PORT),
                cells[area],
                JSON.stringify({ from, to }),
              );
            }
          }
        });
      }
    }
  });

  describe("strict phase: ingress", () => {
    for (const [row, cells] of Object.entries(STRICT_INGRESS) as [
      SourceRow,
      Record<Area, [string, string]>,
    ][]) {
      for (const area of AREAS) {
        const [toEndpoint, toOther] = cells[area];
        it(`${row} → ${area}: ${toEndpoint} to endpoint pods, ${toOther} to others`, () => {
          for (const from of sourcesFor(row, area, strict.internet)) {
            const destination = DESTINATION[area];
            // "same namespace" asks about a pod's neighbours: the worker towards the endpoint, the endpoint
            // towards the worker.
            const toEndpointFrom = row === "same namespace" ? pod(destination, "worker") : from;
            const toWorkerFrom = row === "same namespace" ? pod(destination, "endpoint") : from;
            assert.equal(
              strict.decide(toEndpointFrom, pod(destination, "endpoint"), SERVICE_PORT),
              toEndpoint,
            );
            assert.equal(strict.decide(toWorkerFrom, pod(destination, "worker"), SERVICE_PORT), toOther);
          }
        });
      }
    }
  });

  describe("workaround namespaces", () => {
    it(`are the ${DEV.workarounds} namespaces dev gives the internalservices controller`, () => {
      const configured = devParsed.namespaces.filter((ns) => ns.extraIngressControllers.length > 0);
      assert.deepEqual(configured.map((ns) => ns.name).sort(), [...WORKAROUND_NAMESPACES].sort());
      assert.equal(WORKAROUND_NAMESPACES.length, DEV.workarounds);
    });
    for (const namespace of WORKAROUND_NAMESPACES) {
      it(`${namespace} admits the internalservices controller in both phases, and not the publicfrontal one`, () => {
        assert.equal(
          migration.decide(controller("internalservices"), pod(namespace, "worker"), SERVICE_PORT),
          "allow",
        );
        assert.equal(
          migration.decide(controller("backoffice"), pod(namespace, "worker"), SERVICE_PORT),
          "allow",
        );
        assert.equal(
          migration.decide(controller("publicfrontal"), pod(namespace, "worker"), SERVICE_PORT),
          "deny",
        );
        assert.equal(
          strict.decide(controller("internalservices"), pod(namespace, "endpoint"), SERVICE_PORT),
          "allow",
        );
        assert.equal(
          strict.decide(controller("internalservices"), pod(namespace, "worker"), SERVICE_PORT),
          "deny",
        );
      });
    }
    it("other backoffice namespaces refuse the internalservices controller", () => {
      assert.equal(
        migration.decide(controller("internalservices"), pod("ebo", "worker"), SERVICE_PORT),
        "deny",
      );
    });
  });

  describe("egress, both phases", () => {
    const destinations = externalDestinations(parseConfig(rawConfigOf(devConfig())));
    it(`covers the internet, dev's ${DEV.peeredVpcs} reachable VPCs, 4 other private ranges and instance metadata`, () => {
      assert.deepEqual(
        destinations.map((d) => d.kind),
        ["internet", ...Array(DEV.peeredVpcs).fill("vpc"), ...Array(4).fill("private"), "instance-metadata"],
      );
    });
    for (const area of AREAS) {
      for (const destination of destinations) {
        const row = egressRowOf(destination);
        it(`${area} → ${row} (${destination.ip}) is ${EGRESS[row][area]}`, () => {
          const port = destination.kind === "instance-metadata" ? 80 : 443;
          const from = pod(DESTINATION[area], "worker");
          assert.equal(migration.decide(from, { ip: destination.ip }, port), EGRESS[row][area]);
          const strictExpected = destination.kind === "instance-metadata" ? "allow" : EGRESS[row][area];
          assert.equal(strict.decide(from, { ip: destination.ip }, port), strictExpected);
        });
      }
      it(`${area} → the cluster's own pods is allowed at the source (their ingress still applies)`, () => {
        assert.equal(
          migration.decide(pod(DESTINATION[area], "worker"), { namespace: "default", pod: "stranger" }, 8080),
          "allow",
        );
      });
      for (const protocol of ["UDP", "TCP"] as const) {
        it(`${area} → DNS (kube-dns) on ${protocol} 53 is allowed in both phases`, () => {
          for (const stack of [migration, strict]) {
            assert.equal(
              stack.decide(
                pod(DESTINATION[area], "worker"),
                { namespace: "kube-system", pod: "coredns" },
                53,
                protocol,
              ),
              "allow",
            );
          }
        });
      }
    }
  });

  describe("tools", () => {
    for (const area of AREAS) {
      it(`vault is reachable on 8200 from ${area} namespaces in both phases`, () => {
        for (const stack of [migration, strict]) {
          assert.equal(
            stack.decide(pod(MEMBER[area], "worker"), { namespace: "vault", pod: "vault" }, 8200),
            "allow",
          );
        }
      });
      it(`monitoring reaches every pod of ${area} namespaces, endpoint or not, in both phases`, () => {
        for (const stack of [migration, strict]) {
          for (const target of ["endpoint", "worker"] as const) {
            assert.equal(
              stack.decide({ namespace: "monitoring", pod: "prometheus" }, pod(MEMBER[area], target), 8080),
              "allow",
            );
          }
        }
      });
    }
    it("vault refuses a namespace without an area", () => {
      assert.equal(
        migration.decide(
          { namespace: "default", pod: "stranger" },
          { namespace: "vault", pod: "vault" },
          8200,
        ),
        "deny",
      );
    });
    // Measured paths: with no egress policy, Prometheus reached instance metadata and Vault the backoffice
    // databases and every peered VPC.
    it("monitoring and vault reach neither instance metadata nor a data store in any VPC", () => {
      const prometheus = { namespace: "monitoring", pod: "prometheus" };
      const vault = { namespace: "vault", pod: "vault" };
      const vpcs = externalDestinations(devParsed).filter((d) => d.kind === "vpc");
      assert.equal(vpcs.length, 4);
      for (const tool of [prometheus, vault]) {
        assert.equal(migration.decide(tool, { ip: "169.254.169.254" }, 80), "deny", tool.pod);
        for (const destination of vpcs) {
          assert.equal(
            migration.decide(tool, { ip: destination.ip }, 5432),
            "deny",
            `${tool.pod} ${destination.vpc}`,
          );
        }
        assert.equal(migration.decide(tool, { ip: migration.internet }, 443), "allow", tool.pod);
      }
      // Monitoring keeps its job: every pod, and the nodes' metrics in the cluster VPC.
      const clusterVpc = vpcs.find((d) => d.kind === "vpc" && d.vpc === devParsed.cluster.vpc)!;
      assert.equal(migration.decide(prometheus, { ip: clusterVpc.ip }, 9100), "allow");
      assert.equal(migration.decide(prometheus, { ip: clusterVpc.ip }, 10250), "allow");
      assert.equal(migration.decide(vault, { ip: clusterVpc.ip }, 10250), "deny");
      assert.equal(migration.decide(prometheus, pod(MEMBER.backoffice, "worker"), 8080), "allow");
      assert.equal(migration.decide(vault, pod(MEMBER.backoffice, "worker"), 8080), "deny");
    });
    it("the tools exposed through a controller are reachable from that controller only", () => {
      // dev exposes monitoring (3000) through backoffice and vault (8200) through internalservices.
      assert.equal(
        migration.decide(controller("backoffice"), { namespace: "monitoring", pod: "prometheus" }, 3000),
        "allow",
      );
      assert.equal(
        migration.decide(controller("publicfrontal"), { namespace: "monitoring", pod: "prometheus" }, 3000),
        "deny",
      );
      assert.equal(
        migration.decide(controller("internalservices"), { namespace: "vault", pod: "vault" }, 8200),
        "allow",
      );
      assert.equal(
        migration.decide(controller("backoffice"), { namespace: "vault", pod: "vault" }, 8200),
        "deny",
      );
    });
  });
});
