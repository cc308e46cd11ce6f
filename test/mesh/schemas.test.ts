/**
 * Every Linkerd object the stack renders, checked against the openAPIV3Schema of its CRD as the linkerd2
 * repository publishes it (test/fixtures/linkerd-crds, with the source commit of each), so a field the API
 * server would refuse fails here rather than at `pulumi up`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { LINKERD_API_VERSIONS, type LinkerdKind } from "../../core/linkerd";
import { parseConfig } from "../../model/config";
import { type Contract, parseContractFile, renderContractMesh } from "../../model/contracts";
import { planMesh } from "../../model/mesh/plan";
import { rawConfigOf } from "../../model/stackFile";
import { editedConfig } from "../support/stack";

interface CrdFixture {
  group: string;
  crds: Record<string, { version: string; openAPIV3Schema: object }>;
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "linkerd-crds", "policy.linkerd.io.json"), "utf8"),
) as CrdFixture;

function validators(): Map<string, ValidateFunction> {
  // The schemas are structural OpenAPI as Kubernetes reads it: its x-kubernetes-* keywords are known here.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addKeyword({
    keyword: "x-kubernetes-int-or-string",
    validate: (enabled: boolean, data: unknown) =>
      !enabled || (typeof data === "string" && data.length > 0) || Number.isInteger(data),
  });
  ajv.addKeyword({ keyword: "x-kubernetes-preserve-unknown-fields" });
  return new Map(
    Object.entries(fixture.crds).map(([kind, crd]) => [
      `${fixture.group}/${crd.version}/${kind}`,
      ajv.compile(crd.openAPIV3Schema),
    ]),
  );
}

describe("the rendered Linkerd objects", () => {
  const schemas = validators();
  const config = parseConfig(
    rawConfigOf(
      editedConfig((values) => {
        values.mesh = { phase: "migration", namespaces: { payments: "strict", "query-services": "strict" } };
      }),
    ),
  );
  const contract = parseContractFile(
    readFileSync(join(__dirname, "..", "..", "examples", "contracts", "query-services.yaml"), "utf8"),
  ).contract as Contract;
  const partner: Contract = {
    ...contract,
    ingress: [
      ...contract.ingress,
      {
        direction: "ingress",
        name: "from-partner",
        pods: {},
        peers: [
          { kind: "namespace", namespace: "payments" },
          { kind: "cidr", cidr: "198.51.100.0/24" },
        ],
        ports: [],
        why: "The partner and payments read statements.",
      },
    ],
  };
  const objects = [
    ...planMesh(config).map((spec) => spec.object),
    ...renderContractMesh(partner).map(({ object }) => object),
  ];

  it("use the API version whose schema the fixture holds, for every kind", () => {
    assert.equal(schemas.size, 4);
    for (const [kind, apiVersion] of Object.entries(LINKERD_API_VERSIONS) as [LinkerdKind, string][]) {
      assert.ok(schemas.has(`${apiVersion}/${kind}`), `${apiVersion} ${kind}`);
    }
  });

  it("pass their CRD's schema, each of them", () => {
    const kinds = new Set(objects.map((o) => o.kind));
    assert.deepEqual([...kinds].sort(), [
      "AuthorizationPolicy",
      "MeshTLSAuthentication",
      "NetworkAuthentication",
      "Server",
    ]);
    assert.ok(objects.length > 200, `${objects.length} objects`);
    for (const object of objects) {
      const validate = schemas.get(`${object.apiVersion}/${object.kind}`);
      assert.ok(validate, `${object.apiVersion} ${object.kind}`);
      assert.ok(
        validate(object),
        `${object.kind} ${object.metadata.namespace}/${object.metadata.name}: ${JSON.stringify(validate.errors)}`,
      );
    }
  });

  it("fail the schema when a required field is missing or a value is malformed", () => {
    const server = objects.find((o) => o.kind === "Server");
    const policy = objects.find((o) => o.kind === "AuthorizationPolicy");
    assert.ok(server && policy);
    const validateServer = schemas.get(`${server.apiVersion}/Server`)!;
    const validatePolicy = schemas.get(`${policy.apiVersion}/AuthorizationPolicy`)!;
    const { port: _port, ...withoutPort } = server.spec;
    assert.equal(validateServer({ ...server, spec: withoutPort }), false);
    assert.equal(validateServer({ ...server, spec: { ...server.spec, port: 80.5 } }), false);
    const badRef = { ...policy.spec.requiredAuthenticationRefs[0], kind: "not a kind" };
    assert.equal(
      validatePolicy({ ...policy, spec: { ...policy.spec, requiredAuthenticationRefs: [badRef] } }),
      false,
    );
  });
});
