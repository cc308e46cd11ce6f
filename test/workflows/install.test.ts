import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { ROOT } from "../support/stack";

/** The oldest Node the README's quick start says may run `npm ci`: the previous long-term release. */
const OLDER_NODE = "20.19.0";

interface LockPackage {
  name?: string;
  engines?: { node?: string };
  optional?: boolean;
}

describe("installing on an older Node", () => {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockPackage>;
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string };
  // What npm ci warns about: every installed package whose engines exclude the Node that runs npm.
  const warned = Object.entries(lock.packages)
    .filter(
      ([, pkg]) => !pkg.optional && pkg.engines?.node && !semver.satisfies(OLDER_NODE, pkg.engines.node),
    )
    .map(([path]) => (path === "" ? manifest.name : path.slice(path.lastIndexOf("node_modules/") + 13)))
    .sort();

  it("warns only about the packages the README's quick start names", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const paragraph = /On a Node older than 22, `npm ci` warns `EBADENGINE`[\s\S]*?\n\n/.exec(readme)?.[0];
    assert.ok(paragraph, "the quick start explains the engine warnings");
    const named = [...paragraph.matchAll(/`((?:@[\w-]+\/)?[\w.-]+)`/g)]
      .map((match) => match[1]!)
      .filter((name) => !["npm ci", "EBADENGINE", "npx"].includes(name))
      .sort();
    assert.ok(warned.length >= 1, "the lockfile has packages that need Node 22");
    assert.deepEqual(named, warned);
  });
});
