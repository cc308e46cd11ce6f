import assert from "node:assert/strict";
import { join } from "node:path";
import { parseConfig } from "../../model/config";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { stackNames } from "../policy/stackFiles";
import { ROOT } from "../support/stack";
import { stackFacts } from "./stackFacts";
import {
  environmentOf,
  expression,
  indexOfRun,
  type Job,
  needsOf,
  permissionsOf,
  readWorkflow,
  type Step,
  stepsUsing,
} from "./workflow";

const workflow = readWorkflow("deploy.yml");
const ORDER = ["dev", "staging", "prod"];

/** Jobs that run `pulumi up`, by id. */
const upJobs = Object.entries(workflow.jobs).filter(([, job]) =>
  stepsUsing(job, "pulumi/actions").some((step) => step.with?.command === "up"),
);

function pulumiStep(job: Job): Step {
  const [step] = stepsUsing(job, "pulumi/actions");
  assert.ok(step);
  return step;
}

describe("deploy workflow", () => {
  it("runs on pushes to main and on nothing else", () => {
    assert.deepEqual(Object.keys(workflow.on), ["push"]);
    assert.deepEqual((workflow.on.push as { branches: string[] }).branches, ["main"]);
  });

  it("deploys dev, then staging, then prod, each behind its own environment", () => {
    assert.deepEqual(
      upJobs.map(([, job]) => environmentOf(job)),
      ORDER,
    );
    const byEnvironment = new Map(upJobs.map(([id, job]) => [environmentOf(job), { id, job }]));
    ORDER.slice(1).forEach((environment, index) => {
      const previous = byEnvironment.get(ORDER[index]!)!;
      assert.deepEqual(needsOf(byEnvironment.get(environment)!.job), [previous.id], environment);
    });
  });

  it("deploys every stack that has a stack file", () => {
    assert.deepEqual(upJobs.map(([, job]) => environmentOf(job)).sort(), stackNames());
  });

  it("runs the tests before the first deploy", () => {
    const first = upJobs.find(([, job]) => environmentOf(job) === ORDER[0])![1];
    const tests = needsOf(first).map((id) => workflow.jobs[id]!);
    assert.ok(tests.some((job) => indexOfRun(job, "npm test") > indexOfRun(job, "npm ci")));
  });

  for (const [id, job] of upJobs) {
    const stack = environmentOf(job)!;
    describe(`job ${id}`, () => {
      it(`updates the ${stack} stack with the policy pack`, () => {
        const step = pulumiStep(job);
        assert.equal(step.uses, "pulumi/actions@v7");
        assert.equal(step.with?.["stack-name"], `${expression("vars.PULUMI_ORG")}/segmentation/${stack}`);
        assert.equal(step.with?.policyPacks, "policy");
        assert.equal(step.env?.PULUMI_ACCESS_TOKEN, expression("secrets.PULUMI_ACCESS_TOKEN"));
      });

      it("never overlaps another update of the stack and never cancels one", () => {
        const concurrency = job.concurrency;
        assert.ok(typeof concurrency === "object", "concurrency with cancel-in-progress");
        assert.equal(concurrency["cancel-in-progress"], false);
        const others = upJobs.filter(([otherId]) => otherId !== id).map(([, other]) => other.concurrency);
        assert.ok(!others.some((other) => typeof other === "object" && other.group === concurrency.group));
      });

      it("gets AWS credentials through OIDC with the environment's role, and no other write", () => {
        assert.deepEqual(permissionsOf(workflow, job), { contents: "read", "id-token": "write" });
        const [aws] = stepsUsing(job, "aws-actions/configure-aws-credentials");
        assert.equal(aws?.with?.["role-to-assume"], expression("vars.AWS_ROLE_ARN"));
        assert.equal(aws?.with?.["aws-region"], expression("steps.stack.outputs.region"));
      });

      it("installs dependencies, credentials and a kubeconfig before the update", () => {
        const pulumi = job.steps.indexOf(pulumiStep(job));
        assert.ok(indexOfRun(job, "npm ci") >= 0 && indexOfRun(job, "npm ci") < pulumi);
        const aws = job.steps.indexOf(stepsUsing(job, "aws-actions/configure-aws-credentials")[0]!);
        const kubeconfig = job.steps.findIndex((s) => s.run?.includes("aws eks update-kubeconfig"));
        assert.ok(aws >= 0 && aws < kubeconfig && kubeconfig < pulumi);
      });

      it(`reads ${stack}'s own region and cluster`, () => {
        const step = job.steps.find((s) => s.id === "stack");
        assert.ok(step);
        assert.equal(step.env?.STACK, stack);
        const config = parseConfig(rawConfigOf(readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)).config));
        assert.deepEqual(stackFacts(step, stack), { region: config.region, cluster: config.cluster.name });
      });
    });
  }
});
