import assert from "node:assert/strict";
import { formatProblem } from "../../core/problems";
import { checkConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { editedConfig, withoutCni } from "../support/stack";

const problemsOf = (edit: (v: Record<string, any>) => void) =>
  checkConfig(rawConfigOf(editedConfig(edit))).issues.map((issue) => ({
    path: issue.path,
    line: formatProblem(issue),
  }));

describe("label integrity: config checks", () => {
  it("rejects a contact on several lines, which the API server would refuse in a message", () => {
    const problems = problemsOf((v) => (v.labelIntegrity.contact = "#platform-network\non Slack"));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, "segmentation:labelIntegrity.contact");
    assert.match(problems[0]!.line, /spans several lines.*write it on one line/);
  });

  it("rejects a cluster older than 1.30, which does not serve admissionregistration.k8s.io/v1 policies", () => {
    const problems = problemsOf((v) => (v.cluster.vpcCni.kubernetesVersion = "1.29"));
    assert.deepEqual(
      problems.map((p) => p.path),
      ["segmentation:cluster.vpcCni.kubernetesVersion"],
    );
    assert.match(problems[0]!.line, /"1\.29" is older than 1\.30/);
  });

  it("accepts 1.30 and a cluster whose version the stack does not know", () => {
    assert.deepEqual(
      problemsOf((v) => (v.cluster.vpcCni.kubernetesVersion = "1.30")),
      [],
    );
    assert.deepEqual(problemsOf(withoutCni), []);
  });
});
