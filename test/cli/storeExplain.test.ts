import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { run } from "../../cli/main";

async function netseg(...args: string[]) {
  const result = { stdout: "", stderr: "" };
  const code = await run(args, {
    stdout: (text) => (result.stdout += text),
    stderr: (text) => (result.stderr += text),
    readFile: (path) => readFileSync(path, "utf8"),
  });
  return { code, ...result };
}

describe("netseg explain with a data store", () => {
  it("answers a client across every layer, quoting each layer's rule", async () => {
    const { code, stdout, stderr } = await netseg(
      "explain",
      "-q",
      "--from",
      "account-details",
      "--to",
      "account-details-db",
    );
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /^account-details → account-details-db \(10\.20\.96\.4:5432\): allow through every layer/,
    );
    assert.match(
      stdout,
      /kubernetes\s+allowed\s+account-details\/netseg-allow-egress-store-account-details-db egress\[0\]/,
    );
    assert.match(stdout, /security-group\s+allowed\s+store-account-details-db-client-account-details-port-0/);
  });

  it("names the layer that refuses a non-client", async () => {
    const { stdout } = await netseg("explain", "-q", "--from", "ebo/worker", "--to", "account-details-db");
    assert.match(stdout, /ebo → account-details-db .*: deny, decided by kubernetes: no egress rule of ebo\//);
    assert.match(stdout, /security-group\s+DENIED\s+no inbound rule of sg-0a11b2c3d4e5f6001/);
  });

  it("still asks for a port when the destination is not a store", async () => {
    const { code, stderr } = await netseg("explain", "-q", "--from", "ebo/worker", "--to", "10.20.96.4");
    assert.notEqual(code, 0);
    assert.match(stderr, /--port is missing: give the port of 10\.20\.96\.4, or name a data store/);
  });
});
