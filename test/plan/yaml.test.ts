/**
 * The plan's YAML must be byte for byte what the `yaml` library writes, on any plain data and on the
 * objects of every shipped stack.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { manifestsOf } from "../../cli/manifests";
import { canonical } from "../../cli/plan/files";
import { yamlText } from "../../cli/plan/yaml";
import { readStackFile } from "../../model/stackFile";
import { ROOT, runStack } from "../support/stack";

/** Strings YAML treats specially when plain: indicators, look-alikes of other types, blanks, breaks. */
const TRICKY = [
  "",
  "true",
  "True",
  "null",
  "~",
  "Yes",
  "on",
  "1",
  "007",
  "0x1f",
  "1e3",
  ".inf",
  "0.5",
  "+1",
  "-",
  "- x",
  "a: b",
  "x:",
  "a:b",
  "x #y",
  "#x",
  "@x",
  "`x",
  "*x",
  "&x",
  "!x",
  "%x",
  "|x",
  ">x",
  "?x",
  "[x]",
  "{x}",
  "'q'",
  '"q"',
  " lead",
  "trail ",
  "a\nb",
  "x\ty",
  "ünï",
  "10.0.0.0/8",
  "2001:db8::/32",
  "12:30",
  "-k",
  "kubernetes.io/metadata.name",
  "a".repeat(1200),
];
const text = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 6 }));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("plan: YAML", () => {
  it("writes numbers that print alike apart, in either order", () => {
    assert.equal(yamlText([0, -0, 0]), stringify([0, -0, 0], { lineWidth: 0 }));
    assert.equal(yamlText([-0, 0]), stringify([-0, 0], { lineWidth: 0 }));
  });

  it("writes what the yaml library writes, on random plain data", () => {
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(yamlText(v), stringify(v, { lineWidth: 0 }));
      }),
      { numRuns: 2000 },
    );
  });

  it("tells -0 from 0, which print differently", () => {
    assert.equal(yamlText({ a: 0, b: -0 }), stringify({ a: 0, b: -0 }, { lineWidth: 0 }));
    assert.equal(yamlText({ b: -0, a: 0 }), stringify({ b: -0, a: 0 }, { lineWidth: 0 }));
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`writes what the yaml library writes for every object of the ${stack} stack`, async () => {
      const run = await runStack(readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)).config);
      const manifests = manifestsOf(run.resources).map(canonical);
      assert.ok(manifests.length > 50);
      for (const manifest of manifests)
        assert.equal(yamlText(manifest), stringify(manifest, { lineWidth: 0 }));
    });
  }
});
