import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/stack";

/**
 * The service API as a service's stack gets it: `npm pack` builds and packs this package, the tarball is
 * unpacked into the example consumer's node_modules (what `npm install segmentation-0.1.0.tgz` does with it),
 * and the consumer type-checks and loads it with plain Node. The consumer sits under out/, inside the
 * repository, so its other dependencies (zod, @pulumi/*) resolve from the repository's node_modules without
 * a registry. One test, because packing and type-checking are the slow part of the suite.
 */
describe("the service API package", () => {
  const work = join(ROOT, "out", "service-package-test");
  const consumer = join(work, "service-stack");

  after(() => rmSync(work, { recursive: true, force: true }));

  it("packs compiled JavaScript with declarations that a service's stack type-checks and loads without tsx", function () {
    this.timeout(180_000);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });

    // GIVEN the tarball npm pack makes (its prepack script compiles the service entry)
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    assert.equal(packed.length, 1);
    const files = packed[0]!.files.map((file) => file.path);
    for (const file of ["dist/service/index.js", "dist/service/index.d.ts", "package.json"]) {
      assert.ok(files.includes(file), `${file} is in the tarball`);
    }
    // Only compiled code: no TypeScript source of the platform's stack, its program or its command line
    // (npm always packs `main`, the platform's four-line entry, which nothing of the service API loads).
    assert.deepEqual(
      files.filter((file) => /\.ts$/.test(file) && !file.endsWith(".d.ts")),
      ["index.ts"],
    );
    assert.ok(!files.some((file) => /^dist\/(program|config|index|cli\/)/.test(file)));

    // WHEN the example consumer installs it
    cpSync(join(ROOT, "examples", "service-stack"), consumer, { recursive: true });
    const installed = join(consumer, "node_modules", "segmentation");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", join(work, packed[0]!.filename), "-C", installed, "--strip-components=1"]);

    // THEN it type-checks against the published declarations
    execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", consumer, "--noEmit"], {
      encoding: "utf8",
    });
    // AND plain Node (no tsx) loads the entry through the exports map, and nothing of the platform's stack
    const probe = [
      'const api = require("segmentation/service");',
      'const loaded = Object.keys(require.cache).filter((path) => path.includes("/node_modules/segmentation/"));',
      "console.log(JSON.stringify({ exports: Object.keys(api), loaded }));",
    ].join("\n");
    const seen = JSON.parse(
      execFileSync(join(ROOT, "node_modules", ".bin", "node"), ["-e", probe], {
        cwd: consumer,
        encoding: "utf8",
      }),
    ) as { exports: string[]; loaded: string[] };
    for (const name of [
      "ServiceContract",
      "contract",
      "allow",
      "Peer",
      "Pods",
      "Port",
      "parseContractFile",
    ]) {
      assert.ok(seen.exports.includes(name), `exports ${name}`);
    }
    assert.ok(seen.loaded.length > 0);
    assert.deepEqual(
      seen.loaded.filter(
        (path) =>
          !/\/node_modules\/segmentation\/dist\/(service|model|core|components\/(serviceContract|networkPolicy)\.js)/.test(
            path,
          ),
      ),
      [],
    );
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    assert.equal(manifest.exports["./service"].types, "./dist/service/index.d.ts");
  });
});
