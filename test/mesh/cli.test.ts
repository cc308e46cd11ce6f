/**
 * The mesh through the commands a person runs: `netseg plan` writes the Linkerd objects next to the
 * NetworkPolicies, `verify` fails on a disagreement between the layers, `explain` names the layer and rule.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { run } from "../../cli/main";
import { ROOT } from "../support/stack";

async function netseg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = { stdout: "", stderr: "" };
  const code = await run(args, {
    stdout: (text) => (result.stdout += text),
    stderr: (text) => (result.stderr += text),
    readFile: (path) => readFileSync(path, "utf8"),
  });
  return { code, ...result };
}

describe("netseg with the mesh on", () => {
  const scratch = mkdtempSync(join(tmpdir(), "netseg-mesh-"));
  const planDir = join(scratch, "plan");
  // A rollout caught half way: query-services is strict while sherlock, of the same area, is not meshed.
  const stackFile = join(scratch, "Pulumi.rollout.yaml");
  writeFileSync(
    stackFile,
    `${readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")}
  segmentation:mesh:
    phase: migration
    namespaces:
      query-services: strict
      sherlock: "off"
`,
  );

  before(async () => {
    const planned = await netseg("plan", "--config", stackFile, "--out", planDir, "-q");
    assert.equal(planned.code, 0, planned.stderr);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("plan writes the Linkerd objects and the namespace annotations into kubernetes/", () => {
    const documents = (file: string) =>
      parseAllDocuments(readFileSync(join(planDir, "kubernetes", file), "utf8")).map((d) => d.toJS());
    const queryServices = documents("query-services.yaml");
    const namespace = queryServices.find((o) => o.kind === "Namespace");
    assert.equal(namespace.metadata.annotations["config.linkerd.io/default-inbound-policy"], "deny");
    const servers = queryServices.filter((o) => o.kind === "Server");
    assert.deepEqual(
      servers.map((s) => s.metadata.name),
      ["netseg-http-endpoint", "netseg-http-other", "netseg-proxy-admin"],
    );
    const shared = documents("linkerd.yaml").filter((o) => o.kind === "MeshTLSAuthentication");
    // 3 areas, 6 area rules (3 areas × 2 phases), any area, 3 controllers, Prometheus.
    assert.equal(shared.length, 14);
    // sherlock is left out of the mesh: its file holds its namespace and policies, and no Linkerd object.
    const sherlock = documents("sherlock.yaml");
    assert.ok(sherlock.some((o) => o.kind === "Namespace"));
    assert.deepEqual(
      sherlock.filter((o) => o.apiVersion.startsWith("policy.linkerd.io/")).map((o) => o.kind),
      [],
    );
  });

  it("verify fails and names the flow the network allows and the mesh denies", async () => {
    const { code, stdout } = await netseg("verify", "--plan", planDir, "-q");
    assert.equal(code, 1);
    assert.match(stdout, /Design check of stack rollout: [\d,]+ cells .*, no violations\./);
    assert.match(stdout, /layers-disagree\s+sherlock\/worker → query-services\/endpoint TCP\/8080/);
    assert.match(stdout, /2 inconsistencies between the layers/);
  });

  it("explain names the layer that denies and the rule of each layer", async () => {
    const denied = await netseg(
      "explain",
      "--plan",
      planDir,
      "-q",
      "--from",
      "sherlock/worker",
      "--to",
      "query-services/endpoint",
      "--port",
      "8080",
    );
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(
      denied.stdout,
      /^sherlock\/worker → query-services\/endpoint on TCP\/8080: deny \(network allow, mesh deny: the mesh denies it\)/,
    );
    assert.match(
      denied.stdout,
      /allowed by:\n\s+query-services\/netseg-allow-ingress-endpoints ingress\[0\]/,
    );
    assert.match(
      denied.stdout,
      /mesh layer \(Linkerd\): denied\n\s+mesh: no AuthorizationPolicy admits unmeshed sherlock\/worker, and Server query-services\/netseg-http-endpoint is deny/,
    );
    const scrape = await netseg(
      "explain",
      "--plan",
      planDir,
      "-q",
      "--from",
      "monitoring/prometheus",
      "--to",
      "ebo/worker",
      "--port",
      "4191",
    );
    assert.match(scrape.stdout, /: allow \(network allow, mesh allow: both layers allow it\)/);
    assert.match(
      scrape.stdout,
      /AuthorizationPolicy ebo\/netseg-monitoring: Prometheus in monitoring scrapes/,
    );
  });
});
