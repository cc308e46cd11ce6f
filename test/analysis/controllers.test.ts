/**
 * The ingress controllers' reach, decided by the evaluator over what the real program declares for the
 * dev stack: each controller reaches its own area (and, for internalservices, the workaround namespaces),
 * nothing else; only its allowlist reaches it; it talks to DNS and the API server and not the internet.
 */
import assert from "node:assert/strict";
import { probeEstate, SERVICE_PORT } from "../../analysis/estate";
import { internetAddress } from "../../analysis/expectations";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import { addressAt } from "../../core/cidr";
import { type Endpoint, NetworkPolicyEvaluator, type Protocol } from "../../evaluator";
import { AREAS, type Area } from "../../model/areas";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { controllerIdentity } from "../../model/controllers";
import { rawConfigOf } from "../../model/stackFile";
import { WORKAROUND_NAMESPACES } from "../support/designTables";
import { devConfig, devRun } from "../support/stack";

describe("ingress controllers on the dev stack", () => {
  let config: SegmentationConfig;
  let decide: (from: Endpoint, to: Endpoint, port: number, protocol?: Protocol) => string;
  let internet: string;
  before(async () => {
    config = parseConfig(rawConfigOf(devConfig()));
    const { estate } = probeEstate(config, plannedObjects(manifestsOf((await devRun()).resources)));
    const evaluator = new NetworkPolicyEvaluator(estate);
    decide = (from, to, port, protocol = "TCP") => evaluator.probe({ from, to, port, protocol }).verdict;
    internet = internetAddress(config);
  });

  const controller = (area: Area): Endpoint => ({
    namespace: controllerIdentity(area).namespace,
    pod: "controller",
  });
  const areaNamespaces = (area: Area) =>
    config.namespaces.filter((ns) => ns.area === area).map((ns) => ns.name);

  for (const area of AREAS) {
    it(`the ${area} controller reaches every pod of every ${area} namespace`, () => {
      for (const namespace of areaNamespaces(area)) {
        const phase = config.namespaces.find((ns) => ns.name === namespace)?.phase;
        assert.equal(
          decide(controller(area), { namespace, pod: "endpoint" }, SERVICE_PORT),
          "allow",
          namespace,
        );
        // Strict namespaces expose only their endpoint pods to their controller.
        const worker = phase === "strict" ? "deny" : "allow";
        assert.equal(decide(controller(area), { namespace, pod: "worker" }, SERVICE_PORT), worker, namespace);
      }
    });

    it(`the ${area} controller reaches no pod of the other areas, workaround namespaces aside`, () => {
      for (const other of AREAS.filter((a) => a !== area)) {
        for (const namespace of areaNamespaces(other)) {
          const workaround = area === "internalservices" && WORKAROUND_NAMESPACES.includes(namespace);
          const expected = workaround ? "allow" : "deny";
          assert.equal(
            decide(controller(area), { namespace, pod: "endpoint" }, SERVICE_PORT),
            expected,
            namespace,
          );
        }
      }
    });

    it(`the ${area} controller resolves names and watches the API server, but does not reach the internet`, () => {
      const apiServer = addressAt(config.cluster.controlPlaneCidrs[0]!, 10);
      assert.equal(
        decide(controller(area), { namespace: "kube-system", pod: "coredns" }, 53, "UDP"),
        "allow",
      );
      assert.equal(
        decide(controller(area), { namespace: "kube-system", pod: "coredns" }, 53, "TCP"),
        "allow",
      );
      assert.equal(decide(controller(area), { ip: apiServer }, 443), "allow");
      assert.equal(decide(controller(area), { ip: internet }, 443), "deny");
    });

    it(`monitoring scrapes the ${area} controller's metrics, and area pods cannot`, () => {
      const metrics = controllerIdentity(area).ports.metrics;
      assert.equal(
        decide({ namespace: "monitoring", pod: "prometheus" }, controller(area), metrics),
        "allow",
      );
      assert.equal(
        decide({ namespace: areaNamespaces(area)[0]!, pod: "worker" }, controller(area), metrics),
        "deny",
      );
    });
  }

  it("the public controller cannot reach any backoffice or internalservices pod", () => {
    for (const namespace of [...areaNamespaces("backoffice"), ...areaNamespaces("internalservices")]) {
      for (const pod of ["endpoint", "worker"]) {
        assert.equal(
          decide(controller("publicfrontal"), { namespace, pod }, SERVICE_PORT),
          "deny",
          namespace,
        );
      }
    }
  });

  for (const area of ["backoffice", "internalservices"] as const) {
    it(`only the ${area} allowlist reaches its controller's entry points, with client addresses preserved`, () => {
      const { https, http } = controllerIdentity(area).ports;
      const allowed = config.ingress.find((c) => c.area === area)!.allowedCidrs;
      for (const cidr of allowed) {
        assert.equal(decide({ ip: addressAt(cidr, 0) }, controller(area), https), "allow", cidr);
        assert.equal(decide({ ip: addressAt(cidr, 0) }, controller(area), http), "allow", cidr);
      }
      assert.equal(decide({ ip: internet }, controller(area), https), "deny");
      // An office address is on the backoffice list only.
      const office = addressAt(config.sources.find((s) => s.name === "offices")!.cidrs[0]!, 1);
      assert.equal(decide({ ip: office }, controller(area), https), area === "backoffice" ? "allow" : "deny");
    });
  }

  it("the public controller takes traffic only from its ALB in the cluster VPC, never directly from clients", () => {
    const { https } = controllerIdentity("publicfrontal").ports;
    assert.equal(decide({ ip: internet }, controller("publicfrontal"), https), "deny");
    assert.equal(decide({ ip: "10.20.200.10" }, controller("publicfrontal"), https), "allow");
    // Offices have no special way in on the public path.
    assert.equal(decide({ ip: "192.0.2.1" }, controller("publicfrontal"), https), "deny");
  });
});
