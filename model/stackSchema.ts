/**
 * The JSON schema of a stack file (`Pulumi.<stack>.yaml`), generated from the zod schemas the program
 * parses its config with, so an editor checks a stack file as it is typed (the stack files name it in a
 * `yaml-language-server` comment) and the schema cannot drift from the parser. Published as
 * schemas/stack.schema.json; `netseg schema` prints it.
 *
 * Checks that relate values to each other (overlaps, references) stay with the program and netseg: a
 * JSON schema describes shapes only.
 */
import { z } from "zod";
import { CONFIG_KEYS } from "./schema";
import { PROJECT } from "./stackFile";

/** A value `pulumi config set --secret` writes: ciphertext the program sees decrypted. */
const SECRET = {
  type: "object",
  properties: { secure: { type: "string" } },
  required: ["secure"],
  additionalProperties: false,
};

export function stackJsonSchema(): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const [key, { schema }] of Object.entries(CONFIG_KEYS)) {
    const { $schema: _, ...json } = z.toJSONSchema(schema as z.ZodType, {
      io: "input",
      target: "draft-2020-12",
    }) as Record<string, unknown>;
    keys[`${PROJECT}:${key}`] = json;
  }
  const required = Object.entries(CONFIG_KEYS).flatMap(([key, { required }]) =>
    required ? [`${PROJECT}:${key}`] : [],
  );
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: `Pulumi stack file of the ${PROJECT} project`,
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: { "aws:region": { anyOf: [{ type: "string", minLength: 1 }, SECRET] }, ...keys },
        required: ["aws:region", ...required],
        // Other providers' and namespaces' keys are theirs to check; this project's unknown keys are mistakes.
        patternProperties: { [`^(?!${PROJECT}:)[^:]+:.+$`]: {} },
        additionalProperties: false,
      },
      encryptionsalt: { type: "string" },
      secretsprovider: { type: "string" },
      encryptedkey: { type: "string" },
      environment: {},
    },
    required: ["config"],
    additionalProperties: false,
  };
}
