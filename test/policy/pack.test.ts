/**
 * The pack as the Pulumi CLI runs it: started through `@pulumi/pulumi/cmd/run-policy-pack` (what the
 * `pulumi-analyzer-policy` plugin executes), compiled by Pulumi's own TypeScript loader, and questioned over
 * the analyzer gRPC protocol the engine uses. This is what proves the pack loads (its package.json version,
 * its imports from the model, `@pulumi/policy` resolved from the root node_modules) and that the stacks'
 * real resources pass it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { type RecordedResource, runOffline } from "../../cli/offline";
import { PROJECT, readStackFile } from "../../model/stackFile";
import { segmentation } from "../../program";
import { devRun, ROOT } from "../support/stack";
import { stackFiles } from "./stackFiles";

const MANDATORY = analyzer.EnforcementLevel.MANDATORY;

interface RunningPack {
  process: ChildProcess;
  /** Resolves once the pack listens; rejects with its stderr if it exits first. */
  client: Promise<AnalyzerClient>;
}

/** Starts the pack the way the CLI does; its client connects to the port the pack prints. */
function startPack(): RunningPack {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  // The first argument is the engine's address; the pack only dials it to log, which these tests never do.
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: join(ROOT, "policy") });
  const client = new Promise<AnalyzerClient>((resolve, reject) => {
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}:\n${stderr}`)));
    child.stdout.once("data", (chunk) => {
      const port = String(chunk).trim();
      resolve(new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()));
    });
  });
  return { process: child, client };
}

function unary<Req, Res>(
  call: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    call(request, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

interface Subject {
  type: string;
  name: string;
  urn?: string;
  props: Record<string, unknown>;
  protect?: boolean;
}

function toStruct(props: Record<string, unknown>): Struct {
  // Inputs may hold `undefined`, which a protobuf Struct cannot carry and the engine never sends.
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}

function options(subject: Subject): analyzer.AnalyzerResourceOptions {
  return new analyzer.AnalyzerResourceOptions().setProtect(subject.protect ?? false);
}

function urnOf(subject: Subject): string {
  return subject.urn ?? `urn:pulumi:test::${PROJECT}::${subject.type}::${subject.name}`;
}

interface Finding {
  policy: string;
  level: analyzer.EnforcementLevel;
  urn: string;
  message: string;
}

function findings(response: analyzer.AnalyzeResponse): Finding[] {
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    level: d.getEnforcementlevel(),
    urn: d.getUrn(),
    message: d.getMessage(),
  }));
}

async function analyze(pack: AnalyzerClient, subject: Subject): Promise<Finding[]> {
  const request = new analyzer.AnalyzeRequest()
    .setType(subject.type)
    .setName(subject.name)
    .setUrn(urnOf(subject))
    .setProperties(toStruct(subject.props))
    .setOptions(options(subject));
  return findings(await unary(pack.analyze.bind(pack), request));
}

async function analyzeStack(pack: AnalyzerClient, subjects: Subject[]): Promise<Finding[]> {
  const resources = subjects.map((subject) =>
    new analyzer.AnalyzerResource()
      .setType(subject.type)
      .setName(subject.name)
      .setUrn(urnOf(subject))
      .setProperties(toStruct(subject.props))
      .setOptions(options(subject)),
  );
  const request = new analyzer.AnalyzeStackRequest().setResourcesList(resources);
  return findings(await unary(pack.analyzeStack.bind(pack), request));
}

async function declaredResources(file: string): Promise<Subject[]> {
  const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)![1]!;
  const config = readStackFile(join(ROOT, file)).config;
  const { resources } =
    stack === "dev" ? await devRun() : await runOffline(segmentation, { project: PROJECT, stack, config });
  return resources.filter((r) => r.custom).map((r: RecordedResource) => asSubject(r));
}

function asSubject(resource: RecordedResource): Subject {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: resource.inputs,
    protect: resource.options.protect,
  };
}

const MANAGED_AREA_LABELS = {
  "netseg.dev/managed": "true",
  "netseg.dev/role": "area",
  networkArea: "backoffice",
};

describe("policy pack under the Pulumi policy runner", function () {
  // Pulumi's loader type-checks the pack before it serves: a few seconds.
  this.timeout(60_000);
  let running: RunningPack | undefined;
  let pack: AnalyzerClient;

  before(async () => {
    running = startPack();
    pack = await running.client;
  });

  after(() => {
    pack?.close();
    running?.process.kill();
  });

  it("serves the four policies, each mandatory", async () => {
    const info = await unary<Empty, analyzer.AnalyzerInfo>(pack.getAnalyzerInfo.bind(pack), new Empty());
    assert.equal(info.getName(), "segmentation");
    assert.equal(info.getVersion(), "0.1.0");
    assert.deepEqual(
      info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]),
      [
        ["managed-namespace-protected", MANDATORY],
        ["security-group-not-open-to-internet", MANDATORY],
        ["namespace-area-label", MANDATORY],
        ["area-namespace-no-allow-all-ingress", MANDATORY],
      ],
    );
  });

  for (const file of stackFiles()) {
    it(`finds nothing wrong with what ${file} declares`, async () => {
      const subjects = await declaredResources(file);
      assert.ok(subjects.some((s) => s.type === "kubernetes:core/v1:Namespace"));
      const perResource = (await Promise.all(subjects.map((s) => analyze(pack, s)))).flat();
      assert.deepEqual(perResource, []);
      assert.deepEqual(await analyzeStack(pack, subjects), []);
    });
  }

  it("refuses an unprotected managed namespace and a bad area label", async () => {
    const found = await analyze(pack, {
      type: "kubernetes:core/v1:Namespace",
      name: "payments",
      props: { metadata: { name: "payments", labels: { ...MANAGED_AREA_LABELS, networkArea: "backofice" } } },
      protect: false,
    });
    assert.deepEqual(
      found.map((f) => [f.policy, f.level]),
      [
        ["managed-namespace-protected", MANDATORY],
        ["namespace-area-label", MANDATORY],
      ],
    );
  });

  const PORT_5432 = { protocol: "tcp", fromPort: 5432, toPort: 5432 };
  const openToInternet: { type: string; props: Record<string, unknown> }[] = [
    {
      type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      props: {
        securityGroupId: "sg-0a11b2c3d4e5f6005",
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
      },
    },
    {
      type: "aws:ec2/securityGroupRule:SecurityGroupRule",
      props: {
        type: "ingress",
        securityGroupId: "sg-0a11b2c3d4e5f6005",
        cidrBlocks: ["0.0.0.0/0"],
        ...PORT_5432,
      },
    },
    {
      type: "aws:ec2/securityGroup:SecurityGroup",
      props: { ingress: [{ cidrBlocks: ["0.0.0.0/0"], ...PORT_5432 }] },
    },
  ];
  for (const { type, props } of openToInternet) {
    it(`refuses a ${type.split(":").pop()} that opens a data store to the internet`, async () => {
      const found = await analyze(pack, { type, name: "bos-db-open", props });
      assert.deepEqual(
        found.map((f) => [f.policy, f.level]),
        [["security-group-not-open-to-internet", MANDATORY]],
      );
      assert.match(found[0]!.message, /to 0\.0\.0\.0\/0 \(tcp 5432\)/);
    });
  }

  it("refuses a prefix-list entry for the whole internet", async () => {
    const found = await analyze(pack, {
      type: "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry",
      name: "nat-any",
      props: { prefixListId: "pl-0123456789abcdef0", cidr: "0.0.0.0/0" },
    });
    assert.deepEqual(
      found.map((f) => [f.policy, f.level]),
      [["security-group-not-open-to-internet", MANDATORY]],
    );
  });

  it("refuses an allow-all NetworkPolicy in an area namespace, on the policy's URN", async () => {
    const found = await analyzeStack(pack, [
      {
        type: "kubernetes:core/v1:Namespace",
        name: "payments",
        props: { metadata: { name: "payments", labels: MANAGED_AREA_LABELS } },
        protect: true,
      },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "payments-open",
        urn: "urn:pulumi:test::segmentation::kubernetes:networking.k8s.io/v1:NetworkPolicy::payments-open",
        props: {
          metadata: { name: "open", namespace: "payments" },
          spec: { podSelector: {}, ingress: [{}] },
        },
      },
    ]);
    assert.deepEqual(
      found.map((f) => [f.policy, f.level, f.urn]),
      [
        [
          "area-namespace-no-allow-all-ingress",
          MANDATORY,
          "urn:pulumi:test::segmentation::kubernetes:networking.k8s.io/v1:NetworkPolicy::payments-open",
        ],
      ],
    );
  });

  // Last: the pack keeps its config for the rest of the process.
  it("exempts a group named in the pack's config", async () => {
    const config = new analyzer.PolicyConfig().setProperties(
      Struct.fromJavaScript({ publicSecurityGroups: ["sg-0f00000000000001"] }),
    );
    const request = new analyzer.ConfigureAnalyzerRequest();
    request.getPolicyconfigMap().set("security-group-not-open-to-internet", config);
    await unary(pack.configure.bind(pack), request);
    const rule = (securityGroupId: string): Subject => ({
      type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      name: `open-${securityGroupId}`,
      props: { securityGroupId, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 },
    });
    assert.deepEqual(await analyze(pack, rule("sg-0f00000000000001")), []);
    assert.equal((await analyze(pack, rule("sg-0f00000000000002"))).length, 1);
  });
});
