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
import { DEV } from "../support/stackCounts";

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
      assert.equal(areaNamespaces(area).length, DEV.byArea[area]);
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
      let checked = 0;
      for (const other of AREAS.filter((a) => a !== area)) {
        for (const namespace of areaNamespaces(other)) {
          checked += 1;
          const workaround = area === "internalservices" && WORKAROUND_NAMESPACES.includes(namespace);
          const expected = workaround ? "allow" : "deny";
          assert.equal(
            decide(controller(area), { namespace, pod: "endpoint" }, SERVICE_PORT),
            expected,
            namespace,
          );
        }
      }
      assert.equal(checked, DEV.namespaces - DEV.byArea[area]);
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
    const namespaces = [...areaNamespaces("backoffice"), ...areaNamespaces("internalservices")];
    assert.equal(namespaces.length, DEV.byArea.backoffice + DEV.byArea.internalservices);
    for (const namespace of namespaces) {
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
      assert.equal(allowed.length, DEV.allowlist[area]);
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

  it("the public controller takes traffic only from its ALB's subnets, never directly from clients", () => {
    const { https, health } = controllerIdentity("publicfrontal").ports;
    const alb = config.ingress.find((c) => c.area === "publicfrontal")!.loadBalancerSubnets;
    assert.equal(alb.length, 3);
    for (const subnet of alb) {
      assert.equal(
        decide({ ip: addressAt(subnet, 10) }, controller("publicfrontal"), https),
        "allow",
        subnet,
      );
      assert.equal(
        decide({ ip: addressAt(subnet, 10) }, controller("publicfrontal"), health),
        "allow",
        subnet,
      );
    }
    assert.equal(decide({ ip: internet }, controller("publicfrontal"), https), "deny");
    // The rest of the cluster's VPC (nodes, anything by address) is not the ALB.
    assert.equal(decide({ ip: "10.20.200.10" }, controller("publicfrontal"), https), "deny");
    // Offices have no special way in on the public path.
    assert.equal(decide({ ip: "192.0.2.1" }, controller("publicfrontal"), https), "deny");
  });

  // Measured paths: any pod reached every controller, because the health-check allow admitted the whole
  // cluster VPC and with it the pod ranges.
  it("no pod reaches the public controller directly, past its ALB and WAF", () => {
    const { https, http } = controllerIdentity("publicfrontal").ports;
    const sources = config.namespaces.map((ns) => ns.name);
    assert.equal(sources.length, DEV.namespaces);
    assert.equal(
      decide({ namespace: "default", pod: "stranger" }, controller("publicfrontal"), https),
      "deny",
    );
    for (const namespace of sources) {
      for (const port of [https, http]) {
        assert.equal(
          decide({ namespace, pod: "worker" }, controller("publicfrontal"), port),
          "deny",
          namespace,
        );
      }
    }
  });

  it("the NLB controllers take pods only of the areas that may reach them in both phases", () => {
    // backoffice: backoffice pods; internalservices: internalservices and publicfrontal pods.
    const callers: Record<"backoffice" | "internalservices", Area[]> = {
      backoffice: ["backoffice"],
      internalservices: ["publicfrontal", "internalservices"],
    };
    let checked = 0;
    for (const area of ["backoffice", "internalservices"] as const) {
      const { https } = controllerIdentity(area).ports;
      for (const ns of config.namespaces) {
        const expected = callers[area].includes(ns.area) ? "allow" : "deny";
        assert.equal(
          decide({ namespace: ns.name, pod: "worker" }, controller(area), https),
          expected,
          ns.name,
        );
        checked += 1;
      }
      // No area, no way in: the namespace-less stranger and the tools.
      assert.equal(decide({ namespace: "default", pod: "stranger" }, controller(area), https), "deny");
      assert.equal(decide({ namespace: "vault", pod: "vault" }, controller(area), https), "deny");
    }
    assert.equal(checked, 2 * config.namespaces.length);
    // The relay the measurement found: internalservices → backoffice through the backoffice controller.
    const internal = config.namespaces.find((ns) => ns.area === "internalservices")!;
    assert.equal(
      decide(
        { namespace: internal.name, pod: "worker" },
        controller("backoffice"),
        controllerIdentity("backoffice").ports.https,
      ),
      "deny",
    );
  });

  it("the NLB controllers take their load balancer's subnets, not the rest of the cluster VPC", () => {
    for (const area of ["backoffice", "internalservices"] as const) {
      const { https } = controllerIdentity(area).ports;
      const subnets = config.ingress.find((c) => c.area === area)!.loadBalancerSubnets;
      assert.equal(subnets.length, 3);
      for (const subnet of subnets) {
        assert.equal(decide({ ip: addressAt(subnet, 10) }, controller(area), https), "allow", subnet);
      }
      assert.equal(decide({ ip: "10.20.200.10" }, controller(area), https), "deny");
    }
  });
});
