import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { runOffline } from "../../cli/offline";
import { PROJECT } from "../../model/stackFile";
import { pulumiProgram } from "../../program";
import { assertRejectedBeforeAnyResource, devRun, editedConfig } from "../support/stack";

describe("the program under mocks", () => {
  it("turns the dev stack's config into typed config and declares resources from it", async () => {
    // GIVEN the dev stack's config as `pulumi up` passes it
    // WHEN the program runs under mocks
    const run = await devRun();
    // THEN it reads the config without error
    assert.equal(run.outputs.phase, "migration");
    assert.deepEqual(
      Object.values(run.outputs.namespacesByArea).map((names) => names.length),
      [5, 10, 8],
    );
  });

  const broken: [string, (values: Record<string, any>) => void, RegExp][] = [
    [
      "a bad CIDR",
      (v) => (v.vpcs.kafka.cidrs = ["10.50.0.0/33"]),
      /segmentation:vpcs\.kafka\.cidrs\[0\]: "10\.50\.0\.0\/33" has an invalid mask/,
    ],
    [
      "an unknown area",
      (v) => (v.namespaces.api.area = "dmz"),
      /segmentation:namespaces\.api\.area: "dmz" is not an area/,
    ],
    ["an open allowlist", (v) => (v.sources.vpnIt2 = ["0.0.0.0/0"]), /contains 0\.0\.0\.0\/0/],
    ["a missing region", (v) => delete v.region, /aws:region: \(missing\) is missing/],
  ];
  assert.equal(broken.length, 4);
  for (const [what, edit, message] of broken) {
    it(`stops on ${what} before registering any resource`, async () => {
      await assertRejectedBeforeAnyResource(editedConfig(edit), message);
    });
  }

  it("stops pulumi up on a config problem with a RunError: the message, no stack trace", async () => {
    // GIVEN a stack config with a bad CIDR
    const config = editedConfig((v) => (v.vpcs.kafka.cidrs = ["10.50.0.0/33"]));
    // WHEN pulumi up's entry runs it
    // THEN it fails with Pulumi's RunError, carrying every problem and no trace of the program
    await assert.rejects(
      runOffline(pulumiProgram, { project: PROJECT, stack: "dev", config }),
      (error: unknown) =>
        pulumi.RunError.isInstance(error) &&
        /^Invalid stack config \(1 problem\):\n {2}segmentation:vpcs\.kafka\.cidrs\[0\]/.test(error.message),
    );
  });
});
