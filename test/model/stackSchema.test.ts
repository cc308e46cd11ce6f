import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { z } from "zod";
import { CONFIG_KEYS } from "../../model/schema";
import { stackJsonSchema } from "../../model/stackSchema";
import { stackFiles } from "../policy/stackFiles";
import { ROOT } from "../support/stack";

const SCHEMA_FILE = join(ROOT, "schemas", "stack.schema.json");
const published = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
/** The published schema, compiled by a validator that knows nothing of zod. */
const validate = new Ajv2020({ allErrors: true }).compile(published);
const devText = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8");

describe("the stack file schema", () => {
  it("is published as generated from the parser's schemas (regenerate: npx netseg schema)", () => {
    assert.deepEqual(published, stackJsonSchema());
  });

  const files = stackFiles();
  it("accepts every stack file, and each one names it for editors", () => {
    assert.equal(files.length, 3);
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), "utf8");
      assert.equal(text.split("\n")[0], "# yaml-language-server: $schema=schemas/stack.schema.json", file);
      assert.equal(validate(parse(text)), true, `${file}: ${JSON.stringify(validate.errors)}`);
    }
  });

  const broken: [string, (text: string) => string, string][] = [
    ["a misspelt key", (t) => t.replace("segmentation:namespaces:", "segmentation:namespace:"), "/config"],
    [
      "a number where a CIDR list goes",
      (t) => t.replace("cidrs: [10.20.0.0/19, 10.20.32.0/19]", "cidrs: 10"),
      "/config/segmentation:cluster/cidrs",
    ],
    [
      "an unknown phase",
      (t) => t.replace("segmentation:phase: migration", "segmentation:phase: later"),
      "/config/segmentation:phase",
    ],
  ];
  assert.equal(broken.length, 3);
  for (const [what, edit, path] of broken) {
    it(`refuses ${what} at ${path}`, () => {
      const text = edit(devText);
      assert.notEqual(text, devText, "the edit applies");
      assert.equal(validate(parse(text)), false);
      assert.ok(
        validate.errors!.some((error) => error.instancePath === path),
        JSON.stringify(validate.errors!.map((error) => error.instancePath)),
      );
    });
  }

  it("declares in Pulumi.yaml every scalar key, with its type and the parser's default", () => {
    const declared = (
      parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
        config: Record<string, { type: string; default?: unknown; description: string }>;
      }
    ).config;
    // Pulumi's declarations know strings, integers, booleans and lists of them, not maps.
    const scalar = Object.entries(CONFIG_KEYS).filter(([, { schema }]) => {
      const type = (z.toJSONSchema(schema as z.ZodType, { io: "input" }) as { type?: string }).type;
      return type === "string" || type === "integer" || type === "boolean";
    });
    assert.deepEqual(scalar.map(([key]) => key).sort(), ["phase", "policyMode", "widestSource"]);
    assert.deepEqual(Object.keys(declared).sort(), scalar.map(([key]) => key).sort());
    for (const [key, { schema }] of scalar) {
      assert.equal(declared[key]!.type, "string", key);
      assert.match(declared[key]!.description, /\w/);
      // The default Pulumi passes is one the parser accepts, and the same it would apply itself.
      const parsed = (schema as z.ZodType).parse(declared[key]!.default);
      assert.deepEqual(parsed, (schema as z.ZodType).parse(undefined), key);
    }
  });
});
