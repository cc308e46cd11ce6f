/**
 * A contract in a meshed namespace: its NetworkPolicies and its Linkerd authorization, rendered from the
 * same rules, each needed, decided by both layers over the platform's defaults.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { platformPolicies } from "../../analysis/contractEstate";
import type { PlannedObjects } from "../../analysis/estate";
import { layersOf, meshVerdict } from "../../analysis/mesh";
import type { Namespace } from "../../core/k8s";
import type { Endpoint, PodInfo } from "../../evaluator";
import { parseConfig } from "../../model/config";
import {
  type Contract,
  parseContractFile,
  planContract,
  renderContractMesh,
  toContractNetworkPolicy,
} from "../../model/contracts";
import { planMesh } from "../../model/mesh/plan";
import { planNamespaces } from "../../model/namespaces";
import { rawConfigOf } from "../../model/stackFile";
import { editedConfig, ROOT } from "../support/stack";

const contract = parseContractFile(
  readFileSync(join(ROOT, "examples", "contracts", "query-services.yaml"), "utf8"),
).contract as Contract;

// Every namespace meshed and strict, in both layers: only the area rules and the contract open anything.
const config = parseConfig(
  rawConfigOf(
    editedConfig((values) => {
      values.phase = "strict";
      values.mesh = { phase: "strict" };
    }),
  ),
);

function objects(withPolicies: boolean, withMesh: boolean): PlannedObjects {
  const namespaces: Namespace[] = planNamespaces(config).map((ns) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: ns.name, labels: { ...ns.labels }, annotations: { ...ns.annotations } },
  }));
  const platform = platformPolicies(config);
  return {
    namespaces,
    clusterPolicies: platform.clusterPolicies,
    policies: [
      ...platform.policies,
      ...(withPolicies ? planContract(contract).map(toContractNetworkPolicy) : []),
    ],
    linkerd: [
      ...planMesh(config).map((spec) => spec.object),
      ...(withMesh ? renderContractMesh(contract).map(({ object }) => object) : []),
    ],
  };
}

const http = [{ name: "http", containerPort: 8080, protocol: "TCP" as const }];
const extraPods: Omit<PodInfo, "ip">[] = [
  { namespace: "query-services", name: "query-api", labels: { app: "query-api" }, ports: http },
  { namespace: "api", name: "channel", labels: { "query-services-client": "true" }, ports: http },
];

function decide(planned: PlannedObjects, from: Endpoint, to: Endpoint) {
  const layers = layersOf(config, planned, extraPods);
  const network = layers.network.probe({ from, to, port: 8080, protocol: "TCP" }).verdict;
  return { network, mesh: meshVerdict(layers, from, to, 8080, "TCP") };
}

const channel: Endpoint = { namespace: "api", pod: "channel" };
const queryApi: Endpoint = { namespace: "query-services", pod: "query-api" };

describe("a contract's mesh rules", () => {
  it("render one authorization per peer, naming the area's shared identity", () => {
    const rendered = renderContractMesh(contract).map(({ object }) => object);
    assert.equal(rendered.length, 1);
    const [policy] = rendered;
    assert.ok(policy?.kind === "AuthorizationPolicy");
    assert.deepEqual(policy.spec.targetRef, { kind: "Namespace", name: "query-services" });
    assert.deepEqual(
      policy.spec.requiredAuthenticationRefs.map((ref) => `${ref.kind} ${ref.namespace}/${ref.name}`),
      ["MeshTLSAuthentication linkerd/netseg-area-publicfrontal"],
    );
  });

  it("are needed: without them the mesh refuses what the contract's NetworkPolicy opens", () => {
    const none = decide(objects(false, false), channel, queryApi);
    assert.equal(none.network, "deny");
    assert.equal(none.mesh.allowed, false);
    const policiesOnly = decide(objects(true, false), channel, queryApi);
    assert.equal(policiesOnly.network, "allow");
    assert.equal(policiesOnly.mesh.allowed, false);
    assert.match(policiesOnly.mesh.reason, /Server query-services\/netseg-http-other is deny/);
  });

  it("open the flow with the NetworkPolicy, and the NetworkPolicy still narrows it to the labelled pods", () => {
    const both = objects(true, true);
    const allowed = decide(both, channel, queryApi);
    assert.equal(allowed.network, "allow");
    assert.deepEqual(allowed.mesh.authorizedBy, ["query-services/query-services-channels-from-channels"]);
    // A publicfrontal pod without the client label has the identity, but not the network.
    const unlabelled = decide(both, { namespace: "api", pod: "worker" }, queryApi);
    assert.equal(unlabelled.mesh.allowed, true);
    assert.equal(unlabelled.network, "deny");
  });

  it("render an address peer as a NetworkAuthentication", () => {
    const withCidr: Contract = {
      ...contract,
      ingress: [
        {
          direction: "ingress",
          name: "from-partner",
          pods: { app: "query-api" },
          peers: [{ kind: "cidr", cidr: "198.51.100.0/24", reason: "the partner's egress" }],
          ports: [],
          why: "The partner reads statements.",
        },
      ],
    };
    const kinds = renderContractMesh(withCidr).map(({ object }) => `${object.kind} ${object.metadata.name}`);
    assert.deepEqual(kinds, [
      "NetworkAuthentication query-services-channels-from-partner",
      "AuthorizationPolicy query-services-channels-from-partner",
    ]);
  });
});
