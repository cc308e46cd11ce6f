import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../model/config";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { stackNames } from "../policy/stackFiles";
import { ROOT } from "../support/stack";
import { runStep, stackFacts } from "./stackFacts";
import {
  expression,
  indexOfRun,
  type Job,
  needsOf,
  permissionsOf,
  readWorkflow,
  type Step,
  stepsUsing,
} from "./workflow";

const workflow = readWorkflow("pull-request.yml");

function job(id: string): Job {
  const found = workflow.jobs[id];
  assert.ok(found, `no job ${id}`);
  return found;
}

function step(j: Job, id: string): Step {
  const found = j.steps.find((s) => s.id === id);
  assert.ok(found, `no step ${id}`);
  return found;
}

describe("pull-request workflow", () => {
  it("runs on pull requests to main and on nothing else", () => {
    assert.deepEqual(Object.keys(workflow.on), ["pull_request"]);
    assert.deepEqual((workflow.on.pull_request as { branches: string[] }).branches, ["main"]);
  });

  it("reads the repository by default and grants each job only the writes it needs", () => {
    assert.deepEqual(workflow.permissions, { contents: "read" });
    const writes = Object.fromEntries(
      Object.entries(workflow.jobs).map(([id, j]) => [
        id,
        Object.entries(permissionsOf(workflow, j))
          .filter(([, level]) => level === "write")
          .map(([scope]) => scope)
          .sort(),
      ]),
    );
    assert.deepEqual(writes, {
      test: [],
      "segmentation-diff": ["pull-requests"],
      preview: ["id-token", "pull-requests"],
    });
  });

  it("cancels the runs of a pull request's earlier pushes", () => {
    assert.match(workflow.concurrency!.group, /github\.event\.pull_request\.number/);
    assert.equal(workflow.concurrency!["cancel-in-progress"], true);
  });

  it("installs from the lockfile and runs the tests before anything else", () => {
    const test = job("test");
    assert.ok(indexOfRun(test, "npm ci") >= 0);
    assert.ok(indexOfRun(test, "npm test") > indexOfRun(test, "npm ci"));
    assert.deepEqual(needsOf(job("preview")), ["test"]);
    assert.deepEqual(needsOf(job("segmentation-diff")), ["test"]);
  });
});

describe("pull-request workflow: preview", () => {
  const preview = job("preview");
  const include = preview.strategy?.matrix?.include ?? [];

  it("previews every stack that has a Pulumi.<stack>.yaml, each on its own", () => {
    assert.deepEqual(include.map((entry) => entry.stack).sort(), stackNames());
    assert.equal(preview.strategy?.["fail-fast"], false);
  });

  it("assumes each environment's own preview role", () => {
    assert.equal(include.length, stackNames().length);
    assert.ok(include.length > 0);
    for (const entry of include) {
      assert.equal(
        entry["preview-role"],
        expression(`vars.AWS_PREVIEW_ROLE_ARN_${entry.stack!.toUpperCase()}`),
      );
    }
    const [aws] = stepsUsing(preview, "aws-actions/configure-aws-credentials");
    assert.equal(aws?.with?.["role-to-assume"], expression("matrix.preview-role"));
    assert.equal(aws?.with?.["aws-region"], expression("steps.stack.outputs.region"));
  });

  it("runs pulumi preview with the policy pack and comments on the pull request", () => {
    const steps = stepsUsing(preview, "pulumi/actions");
    assert.equal(steps.length, 1);
    const pulumi = steps[0]!;
    assert.equal(pulumi.uses, "pulumi/actions@v7");
    assert.deepEqual(
      {
        command: pulumi.with?.command,
        stack: pulumi.with?.["stack-name"],
        comment: pulumi.with?.["comment-on-pr"],
        packs: pulumi.with?.policyPacks,
      },
      {
        command: "preview",
        stack: `${expression("vars.PULUMI_ORG")}/segmentation/${expression("matrix.stack")}`,
        comment: true,
        packs: "policy",
      },
    );
    assert.ok(existsSync(join(ROOT, String(pulumi.with?.policyPacks), "PulumiPolicy.yaml")));
    assert.equal(pulumi.env?.PULUMI_ACCESS_TOKEN, expression("secrets.PULUMI_ACCESS_TOKEN"));
  });

  it("installs dependencies and gets credentials and a kubeconfig before the preview", () => {
    const at = (s: Step | undefined) => preview.steps.indexOf(s!);
    const pulumi = at(stepsUsing(preview, "pulumi/actions")[0]);
    assert.ok(indexOfRun(preview, "npm ci") >= 0 && indexOfRun(preview, "npm ci") < pulumi);
    assert.ok(at(stepsUsing(preview, "aws-actions/configure-aws-credentials")[0]) < pulumi);
    const kubeconfig = preview.steps.findIndex((s) => s.run?.includes("aws eks update-kubeconfig"));
    assert.ok(kubeconfig >= 0 && kubeconfig < pulumi);
  });

  for (const stack of stackNames()) {
    it(`reads ${stack}'s region and cluster from its stack file`, () => {
      const config = parseConfig(rawConfigOf(readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)).config));
      assert.deepEqual(stackFacts(step(preview, "stack"), stack), {
        region: config.region,
        cluster: config.cluster.name,
      });
    });
  }
});

/** Plays netseg: logs its arguments, prints a line of Markdown, exits with the code given for the stack. */
const FAKE_NPX = `#!/usr/bin/env bash
echo "$*" >> "$NPX_LOG"
stack="\${!#}"
echo "connections of $stack"
code="EXIT_$stack"
exit "\${!code:-0}"
`;

describe("pull-request workflow: segmentation diff", () => {
  const diffJob = job("segmentation-diff");
  const diffStep = step(diffJob, "diff");
  const sticky = stepsUsing(diffJob, "marocchino/sticky-pull-request-comment");
  const repos: string[] = [];
  after(() => {
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
  });

  /**
   * A repository whose base branch has the dev and staging stacks, with prod added by the pull request,
   * and a fake `npx` first on the PATH.
   */
  function fixture(exitCodes: Record<string, number>) {
    const repo = mkdtempSync(join(tmpdir(), "netseg-diff-"));
    repos.push(repo);
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], {
        cwd: repo,
        stdio: "ignore",
      });
    git("init", "-q", "-b", "main");
    for (const stack of ["dev", "staging"]) writeFileSync(join(repo, `Pulumi.${stack}.yaml`), "config: {}\n");
    git("add", ".");
    git("commit", "-q", "-m", "base");
    writeFileSync(join(repo, "Pulumi.prod.yaml"), "config: {}\n");
    const bin = join(repo, ".bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "npx"), FAKE_NPX);
    chmodSync(join(bin, "npx"), 0o755);
    const log = join(repo, "npx.log");
    writeFileSync(log, "");
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      BASE: "main",
      NPX_LOG: log,
      ...Object.fromEntries(
        Object.entries(exitCodes).map(([stack, code]) => [`EXIT_${stack}`, String(code)]),
      ),
    };
    return {
      repo,
      env,
      run: () => runStep(diffStep, repo, env),
      calls: () => readFileSync(log, "utf8").trim().split("\n").filter(Boolean),
      report: () => readFileSync(join(repo, String(sticky[0]?.with?.path)), "utf8"),
    };
  }

  it("diffs against the base branch of the pull request", () => {
    assert.equal(diffStep.env?.BASE, `origin/${expression("github.base_ref")}`);
    const [checkout] = stepsUsing(diffJob, "actions/checkout");
    assert.equal(checkout?.with?.["fetch-depth"], 0);
  });

  it("diffs each stack that exists on the base branch and notes the new ones", () => {
    const diff = fixture({});
    const result = diff.run();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(diff.calls(), [
      "--no netseg diff main HEAD --stack dev",
      "--no netseg diff main HEAD --stack staging",
    ]);
    const report = diff.report();
    assert.match(report, /### Stack `dev`\n\nconnections of dev\n/);
    assert.match(report, /### Stack `prod`\n\nNew stack: the base branch has no Pulumi\.prod\.yaml/);
    assert.match(report, /### Stack `staging`\n\nconnections of staging\n/);
  });

  const outcomes: { name: string; codes: Record<string, number>; status: number; opened?: string }[] = [
    { name: "passes when no connection opens", codes: {}, status: 0, opened: "false" },
    {
      name: "passes when connections open (exit 3): reviewers decide",
      codes: { dev: 3 },
      status: 0,
      opened: "true",
    },
    { name: "fails on bad input (exit 2)", codes: { staging: 2 }, status: 2 },
    { name: "fails on an unexpected error (exit 1)", codes: { dev: 1 }, status: 1 },
  ];
  for (const { name, codes, status, opened } of outcomes) {
    it(name, () => {
      const result = fixture(codes).run();
      assert.equal(result.status, status, result.stderr);
      assert.equal(result.outputs.opened, opened);
      if (status !== 0)
        assert.match(result.stdout, /::error title=Segmentation diff::netseg diff failed for stack/);
    });
  }

  it("fails rather than call every stack new when the base branch is missing", () => {
    const diff = fixture({});
    const result = runStep(diffStep, diff.repo, { ...diff.env, BASE: "origin/missing" });
    assert.equal(result.status, 2);
    assert.match(
      result.stdout,
      /::error title=Segmentation diff::the base branch origin\/missing is not in the checkout/,
    );
    assert.deepEqual(diff.calls(), []);
  });

  it("posts the report as one sticky comment, replaced by the failure when the diff fails", () => {
    assert.equal(sticky.length, 2);
    const [post, failed] = sticky;
    assert.equal(post!.uses, "marocchino/sticky-pull-request-comment@v3");
    assert.equal(post!.if, undefined, "the report is posted only when every step before it succeeded");
    assert.equal(failed!.with?.header, post!.with?.header);
    assert.match(String(failed!.if), /failure\(\)/);
    assert.match(String(failed!.if), /steps\.diff\.outcome == 'failure'/);
    assert.ok(diffJob.steps.indexOf(post!) > diffJob.steps.indexOf(diffStep));
  });
});
