import assert from "node:assert/strict";
import { join } from "node:path";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { stackFiles } from "../policy/stackFiles";
import { ROOT } from "../support/stack";

describe("stack files", () => {
  const parsed = new Map<string, SegmentationConfig>();

  it("include dev, staging and prod", () => {
    assert.deepEqual(
      ["dev", "staging", "prod"].filter((stack) => !stackFiles().includes(`Pulumi.${stack}.yaml`)),
      [],
    );
  });

  for (const file of stackFiles()) {
    it(`${file} parses and validates with no problem`, () => {
      // parseConfig throws a ConfigError listing every problem, which is the message mocha shows.
      parsed.set(file, parseConfig(rawConfigOf(readStackFile(join(ROOT, file)).config)));
    });
  }

  /** The stacks that share a value, by value, for the values that `pick` reads from each stack. */
  function shared(pick: (config: SegmentationConfig) => string[]): Record<string, string[]> {
    const owners = new Map<string, string[]>();
    for (const [file, config] of parsed) {
      for (const value of new Set(pick(config))) owners.set(value, [...(owners.get(value) ?? []), file]);
    }
    return Object.fromEntries([...owners].filter(([, files]) => files.length > 1));
  }

  const distinct: { what: string; pick: (config: SegmentationConfig) => string[] }[] = [
    { what: "a cluster name", pick: (config) => [config.cluster.name] },
    { what: "a VPC id", pick: (config) => config.vpcs.map((vpc) => vpc.vpcId) },
    // A stack copied from another with its NAT addresses left in would allowlist the wrong cluster.
    { what: "a cluster NAT gateway address", pick: (config) => config.cluster.natGatewayIps },
  ];
  for (const { what, pick } of distinct) {
    it(`share no ${what} between two stacks`, () => {
      assert.equal(parsed.size, stackFiles().length, "every stack file parsed");
      assert.deepEqual(shared(pick), {});
    });
  }
});
