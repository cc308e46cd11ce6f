import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { run } from "../../cli/main";

/** Every command that plans a stack by name, with the arguments it needs besides `--stack`. */
const COMMANDS: string[][] = [
  ["plan", "--out", "/nonexistent/netseg-plan"],
  ["verify"],
  ["explain", "--from", "sherlock/worker", "--to", "payments/endpoint", "--port", "8080"],
];

describe("a stack name that has no stack file", () => {
  assert.equal(COMMANDS.length, 3);
  for (const args of COMMANDS) {
    it(`${args[0]} names the stacks there are, in one line and before any progress`, async () => {
      let stderr = "";
      const code = await run([...args, "--stack", "nosuchstack"], {
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        readFile: (path) => readFileSync(path, "utf8"),
      });
      assert.equal(code, 2);
      assert.match(
        stderr,
        /^netseg: --stack: "nosuchstack" has no stack file Pulumi\.nosuchstack\.yaml in \S+; use one of the stacks there: dev, prod, staging\.\n$/,
      );
    });
  }
});
