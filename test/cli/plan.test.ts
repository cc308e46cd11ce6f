import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { run } from "../../cli/main";
import { planFiles, writePlanDirectory } from "../../cli/plan/files";
import { AREAS } from "../../model/areas";
import { devRendered, MOVED, movedPlan } from "../plan/plans";
import { ROOT } from "../support/stack";
import { DEV } from "../support/stackCounts";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function netseg(...args: string[]): Promise<Result> {
  const result = { stdout: "", stderr: "" };
  const code = await run(args, {
    stdout: (text) => (result.stdout += text),
    stderr: (text) => (result.stderr += text),
    readFile: (path) => readFileSync(path, "utf8"),
  });
  return { code, ...result };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split("\\").join("/"))
    .sort();
}

describe("netseg plan, verify, explain and diff", () => {
  const scratch = mkdtempSync(join(tmpdir(), "netseg-plan-cli-"));
  const dev = join(scratch, "dev");
  /** The real command in a process, as a newcomer runs it; the in-process tests go on meanwhile. */
  let spawned: Promise<Result>;
  const spawnedDir = join(scratch, "spawned");

  before(async () => {
    spawned = new Promise((resolve) => {
      execFile(
        join(ROOT, "node_modules", ".bin", "node"),
        [join(ROOT, "bin", "netseg"), "plan", "--stack", "dev", "--out", spawnedDir],
        { cwd: ROOT },
        (error, stdout, stderr) => {
          const code = error ? (error as { code?: unknown }).code : 0;
          resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
        },
      );
    });
    writePlanDirectory(dev, (await devRendered()).files);
  });
  after(async () => {
    await spawned;
    rmSync(scratch, { recursive: true, force: true });
  });

  it("names the stacks there are when --stack names none of them", async () => {
    const { code, stderr } = await netseg("plan", "--stack", "nosuchstack", "--out", join(scratch, "none"));
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--stack: "nosuchstack" has no stack file Pulumi\.nosuchstack\.yaml in \S+; use one of the stacks there: dev, prod, staging\.\n/,
    );
  });

  it("exits 2 with every problem of a bad stack file before running anything", async () => {
    const file = join(scratch, "Pulumi.broken.yaml");
    const text = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")
      .replace("payments: { area: backoffice,", "payments: { area: backofice,")
      .replace("cidrs: [10.40.0.0/16]", "cidrs: [10.40.0.1/16]");
    writeFileSync(file, text);
    const { code, stderr } = await netseg("plan", "--config", file, "--out", join(scratch, "broken"));
    assert.equal(code, 2);
    assert.match(stderr, /Invalid stack config \(2 problems\)/);
    assert.match(stderr, /segmentation:namespaces\.payments\.area: "backofice"/);
    assert.match(stderr, /segmentation:vpcs\.natonly\.cidrs\[0\]: "10\.40\.0\.1\/16" has host bits set/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it("verify passes on the dev plan", async () => {
    const { code, stdout } = await netseg("verify", "--plan", dev, "--quiet");
    assert.equal(code, 0);
    assert.match(stdout, /Design check of stack dev: [\d,]+ cells .*, no violations\./);
  });

  it("verify fails naming the violation when a policy breaks one rule", async () => {
    // GIVEN a copy of the plan where sherlock's every-pod ingress allow admits every namespace
    const tampered = join(scratch, "tampered");
    cpSync(dev, tampered, { recursive: true });
    const file = join(tampered, "kubernetes", "sherlock.yaml");
    const documents = readFileSync(file, "utf8").split("---\n");
    const at = documents.findIndex((d) => d.includes("name: netseg-allow-ingress\n"));
    documents[at] = documents[at]!.replace(
      /spec:\n[\s\S]*$/,
      "spec:\n  podSelector: {}\n  ingress:\n    - {}\n",
    );
    writeFileSync(file, documents.join("---\n"));
    // WHEN it is verified
    const { code, stdout, stderr } = await netseg("verify", "--plan", tampered, "--quiet");
    // THEN it exits 1 with a row per broken cell: addresses outside the cluster now reach sherlock (the
    // cluster tier still keeps every other area's pods and the unlabelled namespace out)
    assert.equal(code, 1, stderr);
    const row = stdout
      .split("\n")
      .find((line) => line.includes("1.1.1.1") && line.includes("sherlock/worker"));
    assert.ok(row, stdout);
    assert.match(
      row,
      /ingress\s+1\.1\.1\.1\s+sherlock\/worker\s+8080\/TCP\s+deny\s+allow\s+addresses outside the cluster are denied\s+.*sherlock\/netseg-allow-ingress\b/,
    );
    assert.ok(!stdout.includes("default/stranger"), stdout);
    assert.match(stdout, /section\s+from\s+to\s+port\s+expected\s+actual\s+design rule\s+decided by/);
    assert.match(stderr, /design cells do not hold/);
  });

  it("explain gives the verdict and the policies behind it, with their descriptions", async () => {
    const allowed = await netseg(
      "explain",
      "--plan",
      dev,
      "-q",
      "--from",
      "payments/worker",
      "--to",
      "sherlock/endpoint",
      "--port",
      "8080",
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^payments\/worker → sherlock\/endpoint on TCP\/8080: allow/);
    assert.match(
      allowed.stdout,
      /allowed by:\n\s+sherlock\/netseg-allow-ingress ingress\[\d\]\.from\[\d\]: Migration phase: every pod accepts/,
    );
    const denied = await netseg(
      "explain",
      "--plan",
      dev,
      "-q",
      "--from",
      "sherlock/worker",
      "--to",
      "payments/endpoint",
      "--port",
      "http",
    );
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /on TCP\/8080 \(http\): deny/);
    assert.match(
      denied.stdout,
      /ingress to payments\/endpoint: denied by Admin ClusterNetworkPolicy netseg-area-backoffice ingress\[\d\] "no-other-pods" \(Deny\)/,
    );
  });

  it("explain lists the stand-in pods when asked about one that does not exist", async () => {
    const { code, stderr } = await netseg(
      "explain",
      "--plan",
      dev,
      "-q",
      "--from",
      "payments/api",
      "--to",
      "sherlock/worker",
      "--port",
      "8080",
    );
    assert.equal(code, 2);
    assert.match(stderr, /namespace payments has the stand-in pods payments\/endpoint, payments\/worker/);
  });

  it("diff exits 0 between equal plans and 3 when a namespace move opens connections", async () => {
    const moved = join(scratch, "moved");
    // diff reads the config, the objects and the resources: the reports can stay empty.
    writePlanDirectory(moved, planFiles(await movedPlan(), { markdown: "", svg: "", html: "" }));
    const same = await netseg("diff", dev, dev, "-q");
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /No connection opens, closes or changes ports/);
    const changed = await netseg("diff", dev, moved, "-q");
    assert.equal(changed.code, 3, changed.stderr);
    assert.match(changed.stdout, new RegExp(`\\*${MOVED.from} → ${MOVED.to}\\*`));
  });

  it("diff exits 2 for a side that is neither a plan nor a ref, or a ref without the stack", async () => {
    const neither = await netseg("diff", join(scratch, "nothing-here"), dev, "-q");
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /neither a plan directory nor a git ref/);
    const noStack = await netseg("diff", "HEAD", dev, "--stack", "nosuch", "-q");
    assert.equal(noStack.code, 2);
    assert.match(noStack.stderr, /HEAD has no Pulumi\.nosuch\.yaml: stack nosuch does not exist there yet/);
  });

  it("writes the whole plan of dev and says what it did on standard error", async () => {
    const planned = await spawned;
    assert.equal(planned.code, 0, planned.stderr);
    const files = filesUnder(spawnedDir);
    for (const file of [
      "config.json",
      "outputs.json",
      "resources.json",
      "aws/resources.json",
      "kubernetes/cluster.yaml",
      "kubernetes/payments.yaml",
      "helm/ingress-backoffice.yaml",
      "reachability.md",
      "reachability.svg",
      "reachability.html",
    ]) {
      assert.ok(files.includes(file), `${file} missing from ${files.join(", ")}`);
    }
    for (const phase of [
      /config checked: 23 namespaces in 3 areas/,
      /\d+ resources declared/,
      /[\d,]+ connections evaluated/,
      /design check: [\d,]+ cells, 0 violations/,
      /\d+ files written/,
    ]) {
      assert.match(planned.stderr, phase);
    }
    assert.match(planned.stdout, /Design check: [\d,]+ cells, no violations\./);
  });

  it("writes byte for byte what another run of the same stack writes", async () => {
    const { files } = await devRendered();
    // A file per namespace (the area ones, each area's controller's and each tool's) and cluster.yaml.
    const kubernetes = files.filter((f) => f.path.startsWith("kubernetes/"));
    assert.equal(kubernetes.length, DEV.namespaces + AREAS.length + DEV.tools + 1);
    assert.deepEqual(filesUnder(dev), files.map((f) => f.path).sort());
    for (const file of files)
      assert.equal(readFileSync(join(dev, file.path), "utf8"), file.content, file.path);
  });
});
