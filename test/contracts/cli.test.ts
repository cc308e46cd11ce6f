import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { run } from "../../cli/main";
import { DEFAULT_STACK, stackSource } from "../../cli/plan/plan";
import type { NetworkPolicy } from "../../core/k8s";
import { CONTRACT_LABEL, contractJsonSchema } from "../../model/contracts";
import { ROOT } from "../support/stack";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs netseg in-process, reading files from `files` by name (null: no such file), else from the project root. */
async function netseg(args: string[], files: Record<string, string | null> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readFile: (path) => {
      const given = files[path];
      if (given === null) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
      return given ?? readFileSync(isAbsolute(path) ? path : join(ROOT, path), "utf8");
    },
  });
  return { code, stdout, stderr };
}

const EXAMPLE = "examples/contracts/payments.yaml";

describe("netseg contract", () => {
  it("render writes the contract's NetworkPolicies as YAML documents", async () => {
    const { code, stdout, stderr } = await netseg(["contract", "render", EXAMPLE]);
    assert.equal(code, 0, stderr);
    const policies = parseAllDocuments(stdout)
      .map((doc) => doc.toJS() as NetworkPolicy | null)
      .filter((doc): doc is NetworkPolicy => doc !== null);
    assert.deepEqual(
      policies.map((p) => [
        p.kind,
        p.metadata?.namespace,
        p.metadata?.name,
        p.metadata?.labels?.[CONTRACT_LABEL],
      ]),
      [["NetworkPolicy", "payments", "payments-api-from-payments-projector", "payments-api"]],
    );
    assert.deepEqual(policies[0]?.spec?.ingress?.[0]?.ports, [{ protocol: "TCP", port: 8080 }]);
  });

  it("render refuses a file that is not a contract, naming file, line and field", async () => {
    const file =
      "name: ledger\nnamespace: payments\ningress:\n  - pods: {app: ledger}\n    form: [{area: backoffice}]\n    why: x\n";
    const { code, stdout, stderr } = await netseg(["contract", "render", "ledger.yaml"], {
      "ledger.yaml": file,
    });
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /ledger\.yaml:5: ingress\[0\]\.form: .* is not a known field; did you mean "from"\?/,
    );
  });

  it("render refuses a contract lint finds an error in", async () => {
    const file = "name: ledger\nnamespace: payments\ningress:\n  - from: [{area: backoffice}]\n    why: x\n";
    const { code, stderr } = await netseg(["contract", "render", "ledger.yaml"], { "ledger.yaml": file });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /refused contract \(1 problem\):\n {2}ledger\.yaml:4: ingress\[0\]\.pods: \{\} selects every pod/,
    );
  });

  it("lint reports what the contract opens in each phase against a NetworkPolicy-mode stack, and exits 0 without errors", async () => {
    const { code, stdout, stderr } = await netseg(["contract", "lint", EXAMPLE, "--stack", "prod"]);
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /^contract payments-api in namespace payments, against stack prod \(backoffice, migration phase\)/,
    );
    assert.match(
      stdout,
      /opens beyond the area defaults in the migration phase \(the phase of payments in stack prod\): 1 connection\n {2}payments-query-service\/client → payments\/payments-api TCP\/8080\n/,
    );
    assert.match(stdout, /opens beyond the area defaults in the strict phase: 1 connection/);
    assert.match(stdout, /0 errors, 0 warnings, 0 notes\.\n$/);
  });

  it("lint refuses the same contract against dev, whose cluster tier keeps internalservices out of backoffice", async () => {
    const { code, stdout } = await netseg(["contract", "lint", EXAMPLE]);
    assert.equal(code, 2, stdout);
    assert.match(
      stdout,
      /error +examples\/contracts\/payments\.yaml:11: ingress\[0\]: "payments-api-from-payments-projector" cannot open what it admits in stack dev: e\.g\. payments-query-service\/client → payments\/payments-api TCP\/8080 is denied by Admin ClusterNetworkPolicy netseg-area-backoffice ingress\[\d+\] "no-other-pods" \(Deny\)/,
    );
    assert.match(
      stdout,
      /opens beyond the area defaults in the migration phase \(the phase of payments in stack dev\): nothing/,
    );
  });

  it("lint exits 2 on errors, after printing each one located in the file", async () => {
    const file =
      "name: ledger\nnamespace: payments\ningress:\n  - pods: {app: ledger}\n    from: [{cidr: 198.51.100.0/24}]\n    why: x\n";
    const { code, stdout, stderr } = await netseg(["contract", "lint", "ledger.yaml"], {
      "ledger.yaml": file,
    });
    assert.equal(code, 2);
    assert.match(
      stdout,
      /error {3}ledger\.yaml:5: ingress\[0\]\.from\[0\]\.cidr: "198\.51\.100\.0\/24" includes public addresses/,
    );
    assert.match(stderr, /ledger\.yaml: 1 error; see above/);
  });

  it("lint checks the contract alone where there is no stack file, and says what it skipped", async () => {
    const { code, stdout } = await netseg(["contract", "lint", EXAMPLE], { "Pulumi.dev.yaml": null });
    assert.equal(code, 0);
    assert.match(stdout, /^contract payments-api in namespace payments, alone\n/);
    assert.match(
      stdout,
      /\nskipped: rules that add nothing beyond the area defaults.*--stack NAME or --config FILE/,
    );
    assert.doesNotMatch(stdout, /opens beyond/);
  });

  it("lint refuses a stack it was told to use but cannot read, and lists the stacks there are", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--config", "nowhere.yaml"],
        /--config: "nowhere\.yaml" names a stack file netseg cannot read \(no such file\)/,
      ],
      [
        ["--stack", "nowhere"],
        /--stack: "nowhere" has no stack file Pulumi\.nowhere\.yaml in the working directory; use one of the stacks here: dev, prod, staging\.\n/,
      ],
    ];
    assert.equal(cases.length, 2);
    for (const [args, message] of cases) {
      const { code, stderr } = await netseg(["contract", "lint", EXAMPLE, ...args], {
        "nowhere.yaml": null,
        "Pulumi.nowhere.yaml": null,
      });
      assert.equal(code, 2);
      assert.match(stderr, message);
    }
  });

  it("lint --config names the stack by its name, not by the file's path", async () => {
    const { code, stdout } = await netseg([
      "contract",
      "lint",
      EXAMPLE,
      "--config",
      join(ROOT, "Pulumi.prod.yaml"),
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^contract payments-api in namespace payments, against stack prod \(/);
    const json = await netseg([
      "contract",
      "lint",
      EXAMPLE,
      "--json",
      "--config",
      join(ROOT, "Pulumi.prod.yaml"),
    ]);
    assert.equal(JSON.parse(json.stdout).stack, "prod");
  });

  it("lint --config gives a stack file named otherwise the stack name plan gives it: the default stack's", async () => {
    // GIVEN prod's stack file under a name that names no stack
    const custom = "custom-stack.yaml";
    const files = { [custom]: readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8") };
    const { code, stdout } = await netseg(["contract", "lint", EXAMPLE, "--config", custom], files);
    assert.equal(code, 0, stdout);
    // THEN lint names it as plan does, not by its file name
    const planned = stackSource({ config: custom }).stack;
    assert.equal(planned, DEFAULT_STACK);
    assert.match(
      stdout,
      new RegExp(`^contract payments-api in namespace payments, against stack ${planned} \\(`),
    );
    const json = await netseg(["contract", "lint", EXAMPLE, "--json", "--config", custom], files);
    assert.equal(JSON.parse(json.stdout).stack, planned);
    // AND a file named for a stack still names that stack, in both commands
    assert.equal(stackSource({ config: join(ROOT, "Pulumi.prod.yaml") }).stack, "prod");
  });

  it("lint composed with a stack reports a named port no pod declares as a finding, not an evaluator error", async () => {
    const rule = (direction: "ingress" | "egress") =>
      [
        "name: payments-api",
        "namespace: payments",
        `${direction}:`,
        "  - name: grpc-rule",
        "    pods: { app: payments-api }",
        `    ${direction === "ingress" ? "from" : "to"}:`,
        "      - namespace: payments-query-service",
        "        pods: { app: payments-projector }",
        "    ports: [grpc]",
        "    why: the projector speaks gRPC",
        ...(direction === "ingress"
          ? [
              "workloads:",
              "  - name: payments-api",
              "    labels: { app: payments-api }",
              "    ports: [{ name: http, containerPort: 8080 }]",
            ]
          : []),
      ].join("\n");
    const files = { "ingress.yaml": rule("ingress"), "egress.yaml": rule("egress") };
    assert.equal(Object.keys(files).length, 2);
    for (const [file, direction] of [
      ["ingress.yaml", "ingress"],
      ["egress.yaml", "egress"],
    ] as const) {
      const text = await netseg(["contract", "lint", file, "--stack", "dev"], files);
      assert.equal(text.code, 2, text.stderr);
      assert.doesNotMatch(text.stderr, /evaluator/);
      assert.match(text.stdout, new RegExp(`error +${file}:9: ${direction}\\[0\\]\\.ports\\[0\\]: "grpc" `));
      const json = await netseg(["contract", "lint", file, "--stack", "dev", "--json"], files);
      const named = JSON.parse(json.stdout).findings.filter(
        (f: { check: string }) => f.check === "named-port",
      );
      assert.equal(named.length, 1, json.stdout);
      assert.equal(named[0].rule, "named-port");
      assert.equal(named[0].path, `${direction}[0].ports[0]`);
    }
  });

  it("lint --json gives the findings and effects as data", async () => {
    const file =
      "name: ledger\nnamespace: payments\ningress:\n  - pods: {app: ledger}\n    from: [{namespace: monitoring}]\n    why: x\n";
    const { code, stdout } = await netseg(["contract", "lint", "ledger.yaml", "--json"], {
      "ledger.yaml": file,
    });
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.stack, "dev");
    assert.deepEqual(
      report.findings.map((f: { check: string; severity: string; path: string }) => [
        f.check,
        f.severity,
        f.path,
      ]),
      [["adds-nothing", "warning", "ingress[0]"]],
    );
    assert.deepEqual(
      report.effects.map((e: { phase: string; opened: string[] }) => [e.phase, e.opened]),
      [
        ["migration", []],
        ["strict", []],
      ],
    );
  });

  it("schema prints the published JSON schema", async () => {
    const { code, stdout } = await netseg(["contract", "schema"]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), contractJsonSchema());
  });
});
