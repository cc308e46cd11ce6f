/**
 * The design check computed directly, cell by cell over the whole probe estate, with no classes: the oracle
 * the class-based `checkDesign` must agree with.
 */

import {
  API_SERVER_EXPECTATION,
  apiServerAddress,
  type DesignCell,
  type DesignReport,
  type Section,
  type Violation,
} from "../../analysis/design";
import { type PlannedObjects, type ProbePod, probeEstate, SERVICE_PORT } from "../../analysis/estate";
import {
  type Expectation,
  expectedControllerCaller,
  expectedEgress,
  expectedIngress,
  expectedNorthSouth,
  expectedToolEgress,
  externalDestinations,
  internetAddress,
  type Source,
  toolEgressPorts,
} from "../../analysis/expectations";
import { addressAt, addressIn } from "../../core/cidr";
import { type Endpoint, NetworkPolicyEvaluator, type PortSpec, type Protocol } from "../../evaluator";
import type { NamespaceConfig, SegmentationConfig } from "../../model/config";
import { controllerIdentity } from "../../model/controllers";

interface Check {
  section: Section;
  from: Endpoint;
  to: Endpoint;
  port: PortSpec & { port: number; protocol: Protocol };
  expectation: Expectation;
}

export function directDesign(
  config: SegmentationConfig,
  objects: PlannedObjects,
): Pick<DesignReport, "violations"> & { cells: DesignCell[] } {
  const { estate, pods } = probeEstate(config, objects);
  const evaluator = new NetworkPolicyEvaluator(estate);
  const checks = designChecks(config, pods);

  const endpoints = new Map<string, Endpoint>();
  const ports = new Map<string, PortSpec>();
  for (const check of checks) {
    endpoints.set(keyOf(check.from), check.from);
    endpoints.set(keyOf(check.to), check.to);
    ports.set(`${check.port.port}/${check.port.protocol}`, check.port);
  }
  const nodes = [...endpoints.values()];
  const nodeIndex = new Map(nodes.map((endpoint, index) => [keyOf(endpoint), index]));
  const portList = [...ports.values()];
  const portIndex = new Map(portList.map((port, index) => [`${port.port}/${port.protocol}`, index]));
  const matrix = evaluator.matrix(nodes, nodes, portList);

  const cells: DesignCell[] = [];
  const violations: Violation[] = [];
  for (const check of checks) {
    const s = nodeIndex.get(keyOf(check.from))!;
    const d = nodeIndex.get(keyOf(check.to))!;
    const p = portIndex.get(`${check.port.port}/${check.port.protocol}`)!;
    const cell: DesignCell = {
      section: check.section,
      from: keyOf(check.from),
      to: keyOf(check.to),
      port: check.port.port,
      protocol: check.port.protocol,
      expected: check.expectation.allow ? "allow" : "deny",
      actual: matrix.allowed(s, d, p) ? "allow" : "deny",
      rule: check.expectation.rule,
    };
    cells.push(cell);
    if (cell.actual !== cell.expected)
      violations.push({ ...cell, decidedBy: matrix.explain(s, d, p).reason });
  }
  return { cells, violations };
}

function designChecks(config: SegmentationConfig, pods: readonly ProbePod[]): Check[] {
  const checks: Check[] = [];
  const namespaces = new Map(config.namespaces.map((ns) => [ns.name, ns]));
  const podOf = (pod: ProbePod): Endpoint => ({ namespace: pod.namespace, pod: pod.name });
  const tcp = (port: number) => ({ port, protocol: "TCP" as const });
  const internet = internetAddress(config);
  const areaPods = pods.filter((pod) => pod.role.kind === "area-pod");
  const workers = areaPods.filter((pod) => pod.role.kind === "area-pod" && !pod.role.endpoint);
  const find = (kind: ProbePod["role"]["kind"]) => pods.filter((pod) => pod.role.kind === kind);

  // Ingress to every area pod, from every kind of source the design's tables name.
  for (const destination of areaPods) {
    const ns = namespaces.get(destination.namespace) as NamespaceConfig;
    const endpoint = destination.role.kind === "area-pod" && destination.role.endpoint;
    for (const source of pods) {
      if (source === destination) continue;
      checks.push({
        section: "ingress",
        from: podOf(source),
        to: podOf(destination),
        port: tcp(SERVICE_PORT),
        expectation: expectedIngress(sourceOf(source), ns, endpoint),
      });
    }
    checks.push({
      section: "ingress",
      from: { ip: internet },
      to: podOf(destination),
      port: tcp(SERVICE_PORT),
      expectation: expectedIngress({ kind: "external" }, ns, endpoint),
    });
  }

  // Egress from every area namespace (both phases alike): outside addresses, other pods, DNS.
  const [stranger] = find("unlabelled");
  const [dns] = find("dns");
  for (const source of workers) {
    const ns = namespaces.get(source.namespace) as NamespaceConfig;
    for (const destination of externalDestinations(config)) {
      checks.push({
        section: "egress",
        from: podOf(source),
        to: { ip: destination.ip },
        port: tcp(destination.kind === "instance-metadata" ? 80 : 443),
        expectation: expectedEgress(config, ns, destination),
      });
    }
    checks.push({
      section: "egress",
      from: podOf(source),
      to: { ip: apiServerAddress(config) },
      port: tcp(443),
      expectation: API_SERVER_EXPECTATION,
    });
    if (stranger) {
      // The stranger's namespace isolates nothing, so only the source's egress decides.
      checks.push({
        section: "egress",
        from: podOf(source),
        to: podOf(stranger),
        port: tcp(SERVICE_PORT),
        expectation: {
          allow: true,
          rule: "the cluster's own CIDRs (other pods; their ingress still applies)",
        },
      });
    }
    if (dns) {
      for (const protocol of ["UDP", "TCP"] as const) {
        checks.push({
          section: "dns",
          from: podOf(source),
          to: podOf(dns),
          port: { port: 53, protocol },
          expectation: { allow: true, rule: `cluster DNS on ${protocol} 53` },
        });
      }
    }
  }

  // Tools: vault serves every area namespace and nothing else; exposed tools take their controllers only.
  const [vault] = find("vault");
  const [monitoring] = find("monitoring");
  for (const port of config.tools.vault.ports) {
    if (!vault) break;
    for (const source of [...workers, ...(stranger ? [stranger] : [])]) {
      const fromArea = source.role.kind === "area-pod";
      checks.push({
        section: "tools",
        from: podOf(source),
        to: podOf(vault),
        port: tcp(port),
        expectation: fromArea
          ? { allow: true, rule: "vault is reachable from every managed namespace" }
          : { allow: false, rule: "vault is not reachable from namespaces without an area" },
      });
    }
  }
  for (const controller of find("controller")) {
    if (controller.role.kind !== "controller") continue;
    const area = controller.role.area;
    for (const [tool, pod] of [
      [config.tools.monitoring, monitoring],
      [config.tools.vault, vault],
    ] as const) {
      if (!pod) continue;
      for (const port of tool.ports) {
        const exposed = tool.exposedVia.includes(area);
        checks.push({
          section: "tools",
          from: podOf(controller),
          to: podOf(pod),
          port: tcp(port),
          expectation: exposed
            ? { allow: true, rule: `${tool.namespace} is exposed through the ${area} controller` }
            : { allow: false, rule: `${tool.namespace} is not exposed through the ${area} controller` },
        });
      }
    }
  }

  // North-south: who reaches each controller's entry point, and what the controller itself may reach.
  const clusterVpc = externalDestinations(config).find(
    (d) => d.kind === "vpc" && config.vpcs.find((vpc) => vpc.name === d.vpc)?.isClusterVpc,
  );
  for (const controller of find("controller")) {
    if (controller.role.kind !== "controller") continue;
    const settings = config.ingress.find((c) => c.area === (controller.role as { area: string }).area)!;
    const identity = controllerIdentity(settings.area);
    const https = tcp(identity.ports.https);
    const sources: [Endpoint, Expectation][] = [
      [{ ip: internet }, expectedNorthSouth(settings, { kind: "internet" })],
      ...settings.allowedCidrs.map((cidr): [Endpoint, Expectation] => [
        { ip: addressAt(cidr, 0) },
        expectedNorthSouth(settings, { kind: "allowlisted", cidr }),
      ]),
      ...settings.loadBalancerSubnets.map((subnet): [Endpoint, Expectation] => [
        { ip: addressAt(subnet, 10) },
        expectedNorthSouth(settings, { kind: "load-balancer" }),
      ]),
      ...(clusterVpc && !settings.loadBalancerSubnets.some((subnet) => addressIn(clusterVpc.ip, subnet))
        ? [
            [{ ip: clusterVpc.ip }, expectedNorthSouth(settings, { kind: "cluster-vpc" })] as [
              Endpoint,
              Expectation,
            ],
          ]
        : []),
      // Pods reach a controller only as callers the area rules allow: anything else is a relay past them.
      ...pods
        .filter((pod) => pod !== controller && pod.role.kind !== "dns")
        .map((pod): [Endpoint, Expectation] => [
          podOf(pod),
          expectedControllerCaller(settings, sourceOf(pod)),
        ]),
    ];
    for (const [from, expectation] of sources) {
      checks.push({ section: "controllers", from, to: podOf(controller), port: https, expectation });
    }
    if (monitoring) {
      checks.push({
        section: "controllers",
        from: podOf(monitoring),
        to: podOf(controller),
        port: tcp(identity.ports.metrics),
        expectation: { allow: true, rule: "monitoring scrapes the controllers' metrics" },
      });
    }
    if (dns) {
      checks.push({
        section: "controllers",
        from: podOf(controller),
        to: podOf(dns),
        port: { port: 53, protocol: "UDP" },
        expectation: { allow: true, rule: "controllers resolve names through cluster DNS" },
      });
    }
    checks.push({
      section: "controllers",
      from: podOf(controller),
      to: { ip: internet },
      port: tcp(443),
      expectation: { allow: false, rule: "controllers reach their backends, not the internet" },
    });
  }

  // The tools' own egress: each reaches what its job needs and no data store, other VPC or metadata.
  for (const [tool, pod] of [
    ["monitoring", monitoring],
    ["vault", vault],
  ] as const) {
    if (!pod) continue;
    for (const destination of externalDestinations(config)) {
      for (const port of toolEgressPorts(destination)) {
        checks.push({
          section: "tools",
          from: podOf(pod),
          to: { ip: destination.ip },
          port: tcp(port),
          expectation: expectedToolEgress(config, tool, destination, port),
        });
      }
    }
  }
  return checks;
}

/** The row of the design's table a stand-in pod stands for, as a source. */
function sourceOf(pod: ProbePod): Source {
  switch (pod.role.kind) {
    case "area-pod":
      return { kind: "area-pod", namespace: pod.namespace, area: pod.role.area };
    case "controller":
      return { kind: "controller", area: pod.role.area };
    case "monitoring":
      return { kind: "monitoring" };
    default:
      // Vault, DNS and the stranger live in namespaces without an area.
      return { kind: "unlabelled", namespace: pod.namespace };
  }
}

function keyOf(endpoint: Endpoint): string {
  return "ip" in endpoint ? endpoint.ip : `${endpoint.namespace}/${endpoint.pod}`;
}
