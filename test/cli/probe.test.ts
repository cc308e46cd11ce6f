import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real command the way `npx netseg` does: the launcher under the project's Node. */
function netseg(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      join(ROOT, "node_modules", ".bin", "node"),
      [join(ROOT, "bin", "netseg"), ...args],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? "");
  });
}

/** shop's api admits web's pods on its `http` port only; 203.0.113.9 stands for the internet. */
function validFile(): Record<string, any> {
  return {
    namespaces: [{ name: "shop", labels: { networkArea: "backoffice" } }, { name: "web" }],
    pods: [
      {
        namespace: "shop",
        name: "api",
        labels: { app: "api" },
        ip: "10.20.1.5",
        ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
      },
      { namespace: "web", name: "front", labels: { app: "front" }, ip: "10.20.2.7", ports: [] },
    ],
    policies: [
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { namespace: "shop", name: "from-web" },
        spec: {
          podSelector: { matchLabels: { app: "api" } },
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "web" } } }],
              ports: [{ port: "http" }],
            },
          ],
        },
      },
    ],
    probes: [
      { from: { namespace: "web", pod: "front" }, to: { namespace: "shop", pod: "api" }, port: "http" },
      { from: { namespace: "web", pod: "front" }, to: { namespace: "shop", pod: "api" }, port: 9090 },
      { from: { ip: "203.0.113.9" }, to: { namespace: "shop", pod: "api" }, port: 8080, protocol: "TCP" },
      { from: { namespace: "shop", pod: "api" }, to: { ip: "203.0.113.9" }, port: 443 },
    ],
  };
}

/** The valid file with an EKS Admin policy that closes shop to web and allows an API by name. */
function tieredFile(): Record<string, any> {
  const file = validFile();
  file.policies.push({
    apiVersion: "networking.k8s.aws/v1alpha1",
    kind: "ClusterNetworkPolicy",
    metadata: { name: "netseg-areas-backoffice" },
    spec: {
      tier: "Admin",
      priority: 10,
      subject: { namespaces: { matchLabels: { networkArea: "backoffice" } } },
      ingress: [
        {
          name: "from-own-area",
          action: "Pass",
          from: [{ namespaces: { matchLabels: { networkArea: "backoffice" } } }],
        },
        { name: "from-other-areas", action: "Deny", from: [{ namespaces: {} }] },
      ],
      egress: [{ action: "Accept", to: [{ domainNames: ["api.example.com"] }] }],
    },
  });
  return file;
}

interface BadInput {
  name: string;
  edit: (file: Record<string, any>) => void;
  /** The field the message must name. */
  field: RegExp;
}

const BAD_INPUTS: BadInput[] = [
  {
    name: "an unknown pod",
    edit: (f) => (f.probes[1].to.pod = "api-9"),
    field: /probes\[1\]\.to\.pod: "api-9" is not a pod of namespace "shop"/,
  },
  {
    name: "a malformed selector",
    edit: (f) =>
      (f.policies[0].spec.podSelector = { matchExpressions: [{ key: "app", operator: "Equals" }] }),
    field: /policies\[0\]\.spec\.podSelector\.matchExpressions\[0\]\.operator: "Equals" is not an operator/,
  },
  {
    name: "a bad CIDR",
    edit: (f) => (f.policies[0].spec.ingress[0].from = [{ ipBlock: { cidr: "10.20.0.0/33" } }]),
    field:
      /policies\[0\]\.spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: "10\.20\.0\.0\/33" has an invalid mask/,
  },
  {
    name: "a nodes peer in a cluster-tier policy",
    edit: (f) => {
      Object.assign(f, tieredFile());
      f.policies[1].spec.egress[0].to = [{ nodes: {} }];
    },
    field:
      /policies\[1\]\.spec\.egress\[0\]\.to\[0\]\.nodes: \{\} selects nodes.*write the nodes' subnets as a networks peer/,
  },
  {
    name: "Allow in an EKS ClusterNetworkPolicy",
    edit: (f) => {
      Object.assign(f, tieredFile());
      f.policies[1].spec.ingress[1].action = "Allow";
    },
    field:
      /policies\[1\]\.spec\.ingress\[1\]\.action: "Allow" is not an action of ClusterNetworkPolicy \(networking\.k8s\.aws\/v1alpha1\); use Accept, Deny, Pass/,
  },
  {
    name: "a port name the pod lacks",
    edit: (f) => (f.probes[0].port = "grpc"),
    field: /probes\[0\]\.port: "grpc" is not a port of pod shop\/api \(it has http\)/,
  },
];

describe("netseg probe (the real command)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netseg-probe-"));
  const runs = new Map<string, Promise<Run>>();
  const write = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };

  before(() => {
    // Every run starts here, in parallel: each one is a Node process with its own start-up time.
    runs.set("valid", netseg(["probe", write("valid.json", validFile())]));
    runs.set("stdin", netseg(["probe", "-"], JSON.stringify(validFile())));
    runs.set("tiered", netseg(["probe", write("tiered.json", tieredFile())]));
    for (const bad of BAD_INPUTS) {
      const file = validFile();
      bad.edit(file);
      runs.set(bad.name, netseg(["probe", write(`${bad.name}.json`, file)]));
    }
    runs.set("not json", netseg(["probe", write("broken.json", '{"namespaces": [')]));
    runs.set("missing file", netseg(["probe", join(dir, "absent.json")]));
    runs.set("no file argument", netseg(["probe"]));
    runs.set("version", netseg(["--version"]));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (name: string) => runs.get(name)!;

  it("prints one answer per probe, in input order, each the probe plus verdict and reason", async () => {
    const { code, stdout, stderr } = await run("valid");
    assert.equal(code, 0, stderr);
    const answers = JSON.parse(stdout) as Record<string, unknown>[];
    const probes = validFile().probes as Record<string, unknown>[];
    assert.deepEqual(
      answers.map(({ verdict: _v, reason: _r, ...probe }) => probe),
      probes,
    );
    assert.deepEqual(
      answers.map((answer) => answer.verdict),
      ["allow", "deny", "deny", "allow"],
    );
    for (const answer of answers) assert.equal(typeof answer.reason, "string");
  });

  it("names the deciding policy in the reason", async () => {
    const answers = JSON.parse((await run("valid")).stdout) as { reason: string }[];
    assert.match(answers[0]!.reason, /allowed by shop\/from-web ingress\[0\]\.from\[0\]/);
    assert.match(answers[1]!.reason, /isolated by shop\/from-web, and no ingress rule allows TCP\/9090/);
  });

  it("takes cluster-tier policies next to NetworkPolicies, naming the tier, policy and rule that decided", async () => {
    const { code, stdout, stderr } = await run("tiered");
    assert.equal(code, 0, stderr);
    const answers = JSON.parse(stdout) as { verdict: string; reason: string }[];
    // web's pods are another area: the Admin Deny holds even though shop's NetworkPolicy admits web.
    assert.deepEqual(
      answers.map((answer) => answer.verdict),
      ["deny", "deny", "deny", "allow"],
    );
    assert.match(
      answers[0]!.reason,
      /ingress to shop\/api: denied by Admin ClusterNetworkPolicy netseg-areas-backoffice ingress\[1\] "from-other-areas" \(Deny\)/,
    );
    // The domainNames peer is accepted with a warning on standard error, not in the JSON.
    assert.match(
      stderr,
      /netseg: warning: policies\[1\]\.spec\.egress\[0\]\.to\[0\]\.domainNames: \["api\.example\.com"\] is not evaluated/,
    );
  });

  it("reads the file from standard input for -", async () => {
    const [fromFile, fromStdin] = await Promise.all([run("valid"), run("stdin")]);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, fromFile.stdout);
  });

  for (const bad of BAD_INPUTS) {
    it(`exits 2 naming the field for ${bad.name}, without a stack trace or a verdict`, async () => {
      const { code, stdout, stderr } = await run(bad.name);
      assert.equal(code, 2, stderr);
      assert.match(stderr, bad.field);
      assert.doesNotMatch(stderr, /\n\s+at /);
      assert.equal(stdout, "");
    });
  }

  for (const [name, message] of [
    ["not json", /broken\.json: not valid JSON/],
    ["missing file", /absent\.json: cannot read it: no such file/],
    ["no file argument", /missing required argument 'file'/],
  ] as const) {
    it(`exits 2 for ${name}`, async () => {
      const { code, stderr } = await run(name);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /\n\s+at /);
    });
  }

  it("prints the version of package.json", async () => {
    const { code, stdout } = await run("version");
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(code, 0);
    assert.equal(stdout.trim(), manifest.version);
  });
});
