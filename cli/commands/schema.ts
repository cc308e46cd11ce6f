/**
 * `netseg schema`: the JSON schema of stack files, published as schemas/stack.schema.json (the contract
 * file's is `netseg contract schema`).
 */
import { stackJsonSchema } from "../../model/stackSchema";
import type { NetsegCommand } from "./command";

export const schema: NetsegCommand = (program, io) => {
  program
    .command("schema")
    .description("print the JSON schema of stack files (published as schemas/stack.schema.json)")
    .action(() => io.stdout(`${JSON.stringify(stackJsonSchema(), null, 2)}\n`));
};
