/**
 * NetworkPolicy mode's admission bound on team egress, run as the API server runs it (test/support/
 * celAdmission.ts, with the Kubernetes CIDR library) on the prod stack, which ships that mode with
 * enforcement deny.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { NON_PUBLIC_RANGES } from "../../core/cidr";
import type { NetworkPolicy } from "../../core/k8s";
import { AREA_LABEL } from "../../core/labels";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { planLabelIntegrity } from "../../model/labelIntegrity";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { TENANT_EGRESS_POLICY } from "../../model/tenantEgress";
import { type AdmissionOutcome, admit } from "../support/celAdmission";
import { devConfig, ROOT } from "../support/stack";

const prod = parseConfig(rawConfigOf(readStackFile(join(ROOT, "Pulumi.prod.yaml")).config));
const TEAM = { username: "alice@example.com", groups: ["team-payments", "system:authenticated"] };

function teamPolicy(egress: NonNullable<NetworkPolicy["spec"]>["egress"]): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "payments-out", namespace: "payments" },
    spec: { podSelector: {}, policyTypes: ["Egress"], egress },
  };
}

async function create(
  config: SegmentationConfig,
  policy: NetworkPolicy,
  area: string | undefined,
  user = TEAM,
): Promise<AdmissionOutcome> {
  const spec = planLabelIntegrity(config).policies.find(
    (p) => p.policy.metadata?.name === TENANT_EGRESS_POLICY,
  );
  assert.ok(spec, "no tenant egress policy");
  return admit(
    spec.policy,
    spec.binding,
    {
      kind: { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" },
      resource: { group: "networking.k8s.io", version: "v1", resource: "networkpolicies" },
      name: policy.metadata?.name,
      namespace: policy.metadata?.namespace,
      operation: "CREATE",
      userInfo: user,
      object: policy,
    },
    {
      namespaceObject: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "payments", labels: area ? { [AREA_LABEL]: area } : {} },
      },
    },
  );
}

describe("admission of team egress in NetworkPolicy mode", () => {
  it("is planned in NetworkPolicy mode only, where no Admin tier holds the bounds", () => {
    assert.equal(prod.policyMode, "networkPolicy");
    const names = (config: SegmentationConfig) =>
      planLabelIntegrity(config).policies.map((p) => p.policy.metadata?.name);
    assert.ok(names(prod).includes(TENANT_EGRESS_POLICY));
    const dev = parseConfig(rawConfigOf(devConfig()));
    assert.equal(dev.policyMode, "clusterTier");
    assert.ok(!names(dev).includes(TENANT_EGRESS_POLICY));
  });

  // The measured path: `podSelector: {}` with egress to 10.0.0.0/8 in a publicfrontal namespace reached a
  // backoffice database and the natonly VPC, and nothing refused it.
  it("refuses 10.0.0.0/8 in a publicfrontal namespace, naming the block", async () => {
    const outcome = await create(
      prod,
      teamPolicy([{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }]),
      "publicfrontal",
    );
    assert.equal(outcome.allowed, false);
    assert.match(
      outcome.denial ?? "",
      /NetworkPolicy payments\/payments-out opens egress to 10\.0\.0\.0\/8, beyond the bounds of area publicfrontal/,
    );
  });

  it("refuses another area's VPC, instance metadata and other private ranges, and rules without destinations", async () => {
    const backofficeVpc = prod.vpcs.find((vpc) => vpc.name === "backoffice")!.cidrs[0]!;
    const natonlyVpc = prod.vpcs.find((vpc) => vpc.name === "natonly")!.cidrs[0]!;
    const refused: [string, NonNullable<NetworkPolicy["spec"]>["egress"]][] = [
      ["natonly VPC", [{ to: [{ ipBlock: { cidr: natonlyVpc } }] }]],
      ["instance metadata", [{ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }] }]],
      ["another private range", [{ to: [{ ipBlock: { cidr: "192.168.10.0/24" } }] }]],
      ["the whole internet, private ranges and all", [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]],
      ["every destination", [{}]],
      ["every destination on one port", [{ ports: [{ protocol: "TCP", port: 5432 }] }]],
    ];
    assert.equal(refused.length, 6);
    for (const [what, egress] of refused) {
      const outcome = await create(prod, teamPolicy(egress), "publicfrontal");
      assert.equal(outcome.allowed, false, what);
    }
    // The backoffice VPC is backoffice's own: its namespaces may name it.
    assert.equal(
      (await create(prod, teamPolicy([{ to: [{ ipBlock: { cidr: backofficeVpc } }] }]), "backoffice"))
        .allowed,
      true,
    );
  });

  it("admits what stays inside the bounds", async () => {
    const allowed: [string, NonNullable<NetworkPolicy["spec"]>["egress"]][] = [
      ["a public range", [{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }] }]],
      [
        "the internet with the private ranges excepted",
        [
          {
            to: [
              {
                ipBlock: {
                  cidr: "0.0.0.0/0",
                  except: [...NON_PUBLIC_RANGES],
                },
              },
            ],
          },
        ],
      ],
      [
        "the area's own VPC",
        [{ to: [{ ipBlock: { cidr: prod.vpcs.find((v) => v.name === "publicfrontal")!.cidrs[0]! } }] }],
      ],
      ["the pod ranges", [{ to: [{ ipBlock: { cidr: prod.cluster.cidrs[0]! } }] }]],
      ["every namespace, by selector", [{ to: [{ namespaceSelector: {} }] }]],
    ];
    for (const [what, egress] of allowed) {
      const outcome = await create(prod, teamPolicy(egress), "publicfrontal");
      assert.equal(outcome.allowed, true, `${what}: ${outcome.denial}`);
    }
  });

  it("lets platform principals and namespaces without an area through", async () => {
    const wide = teamPolicy([{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }]);
    const platform = { username: "bob@example.com", groups: ["platform-admins"] };
    assert.equal((await create(prod, wide, "publicfrontal", platform)).evaluated, false);
    assert.equal((await create(prod, wide, undefined)).allowed, true);
  });
});
