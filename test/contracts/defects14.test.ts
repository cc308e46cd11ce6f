/**
 * `netseg contract lint --json` as a tool reads it: every finding locates itself in the file the way the text
 * report does, so a pipeline can annotate the line without parsing the text; a file that is not a contract
 * gives its problems the same way rather than an empty standard output.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { run } from "../../cli/main";
import { ROOT } from "../support/stack";

async function lint(
  args: string[],
  files: Record<string, string>,
): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await run(["contract", "lint", ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    readFile: (path) => files[path] ?? readFileSync(isAbsolute(path) ? path : join(ROOT, path), "utf8"),
  });
  return { code, stdout };
}

/** A payments contract whose ingress names a port no pod declares (line 9) and an endpoint without exposure. */
const CONTRACT = [
  "name: payments-api",
  "namespace: payments",
  "ingress:",
  "  - name: grpc-rule",
  "    pods: { app: payments-api }",
  "    from:",
  "      - namespace: payments-query-service",
  "        pods: { app: payments-projector }",
  "    ports: [grpc]",
  "    why: the projector speaks gRPC",
  "workloads:",
  "  - name: payments-api",
  '    labels: { app: payments-api, endpoint: "true" }',
  "    ports: [{ name: http, containerPort: 8080 }]",
].join("\n");

describe("contract lint --json composed with a stack", () => {
  it("gives each finding the line the text report shows, and names the file", async () => {
    const files = { "payments.yaml": CONTRACT };
    const json = await lint(["payments.yaml", "--stack", "dev", "--json"], files);
    const text = await lint(["payments.yaml", "--stack", "dev"], files);
    assert.equal(json.code, 2);
    const report = JSON.parse(json.stdout) as {
      file: string;
      findings: { check: string; path: string; line?: number }[];
    };
    assert.equal(report.file, "payments.yaml");
    // The named port, the endpoint label without an exposure, and the rule that adds nothing.
    assert.equal(report.findings.length, 3, json.stdout);
    const named = report.findings.find((f) => f.check === "named-port");
    assert.equal(named?.line, 9);
    for (const finding of report.findings) {
      assert.ok(finding.line !== undefined, `${finding.path} has no line`);
      assert.ok(
        text.stdout.includes(`payments.yaml:${finding.line}: ${finding.path}: `),
        `${finding.path} at line ${finding.line} is not where the text report puts it:\n${text.stdout}`,
      );
    }
  });

  it("gives the problems of a file that is not a contract as findings too, each naming its field", async () => {
    const file = CONTRACT.replace(
      "ports: [grpc]",
      'ports: [{ port: 9000, endPort: "9010" }, { port: 8080, protocol: HTTP }]',
    );
    const { code, stdout } = await lint(["payments.yaml", "--stack", "dev", "--json"], {
      "payments.yaml": file,
    });
    assert.equal(code, 2);
    const report = JSON.parse(stdout) as { file: string; findings: { path: string; line?: number }[] };
    assert.equal(report.file, "payments.yaml");
    assert.deepEqual(
      report.findings.map((f) => [f.path, f.line]),
      [
        ["ingress[0].ports[0].endPort", 9],
        ["ingress[0].ports[1].protocol", 9],
      ],
    );
  });
});
