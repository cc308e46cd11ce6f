import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type LintReport, lintContract, SKIPPED } from "../../analysis/contractLint";
import { formatProblem } from "../../core/problems";
import { parseConfig } from "../../model/config";
import { type CheckId, parseContractFile, type Severity, type StackContext } from "../../model/contracts";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { ledger, lintFile as lint, showFindings as show } from "../support/contractLint";
import { devConfig, editedConfig, ROOT, withoutCni } from "../support/stack";

const DEV: StackContext = { name: "dev", config: parseConfig(rawConfigOf(devConfig())) };
/** Dev in NetworkPolicy mode: the namespace policies alone decide, as they do in prod. */
const DEV_WITHOUT_TIER: StackContext = {
  name: "dev",
  config: parseConfig(rawConfigOf(editedConfig(withoutCni))),
};
const PROD: StackContext = {
  name: "prod",
  config: parseConfig(rawConfigOf(readStackFile(join(ROOT, "Pulumi.prod.yaml")).config)),
};

type File = Record<string, any>;

/** The one finding of `check` at `path`, with the severity expected and a message matching `message`. */
function expectFinding(
  report: LintReport,
  check: CheckId,
  severity: Severity,
  path: string,
  message: RegExp,
) {
  const found = report.findings.filter((f) => f.check === check);
  assert.equal(found.length, 1, show(report.findings));
  const [finding] = found;
  assert.equal(finding!.path, path, show(found));
  assert.equal(finding!.severity, severity, show(found));
  assert.match(formatProblem(finding!), message);
}

describe("contract lint", () => {
  describe("finds in the contract alone", () => {
    const cases: [string, File, CheckId, Severity, string, RegExp][] = [
      [
        "an ingress rule without peers, which admits everyone",
        ledger((f) => delete f.ingress[0].from),
        "every-peer",
        "error",
        "ingress[0].from",
        /admits every pod of every namespace and every address; list the clients/,
      ],
      [
        "an egress rule without peers, which reaches everything",
        ledger((f) => (f.egress = [{ pods: { app: "ledger" }, ports: [443], why: "Anything." }])),
        "every-peer",
        "error",
        "egress[0].to",
        /may reach every address and every pod/,
      ],
      [
        "a rule for every pod of the namespace",
        ledger((f) => delete f.ingress[0].pods),
        "every-pod",
        "error",
        "ingress[0].pods",
        /selects every pod of namespace payments, other services' pods included; name the labels/,
      ],
      [
        "a peer that is every pod of the namespace",
        ledger((f) => (f.ingress[0].from = [{ pods: {} }])),
        "every-pod",
        "error",
        "ingress[0].from[0].pods",
        /selects every pod of namespace payments; .*for the whole namespace write \{namespace: payments\}/,
      ],
      [
        "an exposure of every pod",
        ledger((f) => (f.expose = [{ pods: {}, why: "Everything." }])),
        "every-pod",
        "error",
        "expose[0].pods",
        /so every one of them is an endpoint/,
      ],
      [
        "a public range without a reason",
        ledger((f) => (f.ingress[0].from = [{ cidr: "198.51.100.0/24" }])),
        "public-cidr-reason",
        "error",
        "ingress[0].from[0].cidr",
        /"198\.51\.100\.0\/24" includes public addresses and has no reason; add `reason:`/,
      ],
      [
        "every address without a reason",
        ledger((f) => (f.ingress[0].from = [{ cidr: "0.0.0.0/0" }])),
        "public-cidr-reason",
        "error",
        "ingress[0].from[0].cidr",
        /includes public addresses/,
      ],
      [
        "the area label used as a pod label",
        ledger((f) => (f.ingress[0].from = [{ pods: { networkArea: "internalservices" } }])),
        "area-label-on-pods",
        "error",
        "ingress[0].from[0].pods.networkArea",
        /is the area label of namespaces; on a pod it says only what the pod's owner wrote there; write \{area: internalservices\} to select pods of that area's namespaces/,
      ],
      [
        "a named port on egress, which the contract cannot resolve",
        ledger(
          (f) =>
            (f.egress = [
              {
                pods: { app: "ledger" },
                to: [{ cidr: "172.20.8.0/24", reason: "Partner." }],
                ports: ["https"],
                why: "Files.",
              },
            ]),
        ),
        "named-port",
        "error",
        "egress[0].ports[0]",
        /names a port of the destination's pods.*; write the destination's port number/,
      ],
      [
        "egress to instance metadata, which the platform decides",
        ledger(
          (f) =>
            (f.egress = [
              {
                pods: { app: "ledger" },
                to: [{ cidr: "169.254.0.0/16", reason: "Link-local services." }],
                why: "Credentials.",
              },
            ]),
        ),
        "instance-metadata",
        "error",
        "egress[0].to[0].cidr",
        /includes instance metadata \(169\.254\.169\.254\/32\), which the platform allows or denies for every namespace/,
      ],
    ];
    for (const [what, file, check, severity, path, message] of cases) {
      it(what, () => expectFinding(lint(file), check, severity, path, message));
    }

    it("lets a private range through without a reason, and a public one with", () => {
      for (const peer of [
        { cidr: "172.20.8.0/24" },
        { cidr: "198.51.100.0/24", reason: "The bank's servers." },
      ]) {
        const report = lint(ledger((f) => (f.ingress[0].from = [peer])));
        assert.deepEqual(report.findings, [], show(report.findings));
      }
    });

    it("says which checks it skipped and what they need", () => {
      assert.deepEqual(lint(ledger()).skipped, [SKIPPED.workloads, SKIPPED.services, SKIPPED.stack]);
    });
  });

  describe("finds against the service's pods and Services", () => {
    const workloads = [
      {
        name: "ledger",
        labels: { app: "ledger", version: "v2" },
        ports: [
          { name: "http", containerPort: 8080 },
          { name: "dns", containerPort: 5353, protocol: "UDP" },
        ],
      },
      {
        name: "ledger-v1",
        labels: { app: "ledger", version: "v1" },
        ports: [{ name: "http", containerPort: 8080 }],
      },
    ];
    const services = [
      { name: "ledger", selector: { app: "ledger" }, ports: [{ port: 80, targetPort: "http" }] },
    ];
    const declared = (edit: (file: File) => void) =>
      ledger((f) => {
        f.workloads = workloads;
        f.services = services;
        edit(f);
      });

    const cases: [string, File, CheckId, Severity, string, RegExp][] = [
      [
        "a selector that matches no pod of the service",
        declared((f) => (f.ingress[0].pods = { app: "ledger-api" })),
        "no-pod",
        "error",
        "ingress[0].pods",
        /\{"app":"ledger-api"\} matches no pod of the service; its workloads are ledger \(app=ledger,version=v2\), ledger-v1/,
      ],
      [
        "a named port the selected pods do not declare",
        declared((f) => (f.ingress[0].ports = ["grpc"])),
        "named-port",
        "error",
        "ingress[0].ports[0]",
        /"grpc" is not a port of the selected pods \(ledger: http, dns; ledger-v1: http\)/,
      ],
      [
        "a named port with the wrong protocol",
        declared((f) => (f.ingress[0].ports = ["dns"])),
        "named-port",
        "error",
        "ingress[0].ports[0]",
        /is a UDP port of the selected pods, and the rule says TCP; write \{port: dns, protocol: UDP\}/,
      ],
      [
        "the Service's port where the pods receive on another",
        declared((f) => (f.ingress[0].ports = [80])),
        "service-port",
        "error",
        "ingress[0].ports[0]",
        /80 is the port of Service ledger, which delivers to the pods on "http" \(8080\); .*write 8080, the container port/,
      ],
      [
        "a selector narrower than the Service's, which drifted from its pods",
        declared((f) => (f.ingress[0].pods = { app: "ledger", version: "v2" })),
        "service-selector",
        "warning",
        "ingress[0].pods",
        /narrower than Service ledger's selector \(app=ledger\): the Service also routes to workload ledger-v1, whose requests this rule refuses/,
      ],
      [
        "an exposed workload without the endpoint label",
        declared(
          (f) => (f.expose = [{ pods: { app: "ledger", version: "v2" }, why: "Backoffice reads it." }]),
        ),
        "endpoint-label",
        "error",
        "expose[0].pods",
        /selects workload ledger, whose pods do not carry endpoint: "true".*add endpoint: "true" to the labels of ledger's pod template/,
      ],
      [
        "a workload that is an endpoint without an exposure saying so",
        declared((f) => (f.workloads = [{ ...workloads[0], labels: { app: "ledger", endpoint: "true" } }])),
        "endpoint-label",
        "warning",
        "workloads[0].labels.endpoint",
        /makes ledger an endpoint, which the strict phase opens to its area's namespaces, and no expose entry says so/,
      ],
    ];
    for (const [what, file, check, severity, path, message] of cases) {
      it(what, () => expectFinding(lint(file), check, severity, path, message));
    }

    it("sees the Service's port mistake from the selectors alone when the pods are not declared", () => {
      const report = lint(
        ledger((f) => {
          f.services = [
            { name: "ledger", selector: { app: "ledger" }, ports: [{ port: 80, targetPort: 8080 }] },
          ];
          f.ingress[0].ports = [80];
        }),
      );
      expectFinding(report, "service-port", "error", "ingress[0].ports[0]", /write 8080/);
      assert.deepEqual(report.skipped, [SKIPPED.workloads, SKIPPED.stack]);
    });

    it("finds nothing when the rule names the container port and the Service's pods", () => {
      const report = lint(declared(() => {}));
      assert.deepEqual(report.findings, [], show(report.findings));
      assert.deepEqual(report.skipped, [SKIPPED.stack]);
    });
  });

  describe("finds against the stack's defaults", () => {
    it("a namespace the stack does not have, with the one probably meant", () => {
      const report = lint(
        ledger((f) => (f.namespace = "paymnets")),
        DEV,
      );
      expectFinding(
        report,
        "namespace",
        "error",
        "namespace",
        /"paymnets" is not an area namespace of stack dev.*did you mean "payments"/,
      );
      assert.deepEqual(report.effects, []);
    });

    it("a peer in a namespace the stack does not have", () => {
      const report = lint(
        ledger((f) => (f.ingress[0].from = [{ namespace: "payments-query-servce" }])),
        DEV,
      );
      expectFinding(
        report,
        "namespace",
        "warning",
        "ingress[0].from[0].namespace",
        /did you mean "payments-query-service"/,
      );
    });

    it("a range that covers the cluster's pods", () => {
      const report = lint(
        ledger((f) => (f.ingress[0].from = [{ cidr: "10.20.0.0/16", reason: "The backoffice VPC." }])),
        DEV,
      );
      expectFinding(
        report,
        "cidr-covers-pods",
        "error",
        "ingress[0].from[0].cidr",
        /overlaps the cluster's pod addresses \(10\.20\.0\.0\/19, 10\.20\.32\.0\/19\); ipBlocks match pods under the VPC CNI/,
      );
    });

    it("egress into a VPC the area rules keep from the namespace's area", () => {
      // payments is in backoffice, which reaches the backoffice and Kafka VPCs only.
      const report = lint(
        ledger(
          (f) =>
            (f.egress = [
              {
                pods: { app: "ledger" },
                to: [{ cidr: "10.40.8.0/24", reason: "The SEPA database." }],
                ports: [5432],
                why: "Reads SEPA mandates.",
              },
            ]),
        ),
        DEV,
      );
      expectFinding(
        report,
        "area-vpc",
        "error",
        "egress[0].to[0].cidr",
        /reaches the natonly VPC \(10\.40\.0\.0\/16\), which the area rules keep from backoffice namespaces such as payments/,
      );
    });

    it("a rule the defaults already cover in both phases, naming the policy that does", () => {
      // Monitoring reaches every managed pod in both phases.
      const report = lint(
        ledger((f) => (f.ingress[0].from = [{ namespace: "monitoring" }])),
        DEV,
      );
      expectFinding(
        report,
        "adds-nothing",
        "warning",
        "ingress[0]",
        /"ledger-from-monitoring" opens nothing the area defaults do not already allow, in either phase: e\.g\. monitoring\/prometheus → payments\/\S+ TCP\/8080 is already allowed by payments\/netseg-allow-ingress\b/,
      );
    });

    it("an egress rule to pods, which the defaults already let out: the destination decides", () => {
      const report = lint(
        ledger(
          (f) =>
            (f.egress = [
              { pods: { app: "ledger" }, to: [{ namespace: "api" }], ports: [8080], why: "Calls the API." },
            ]),
        ),
        DEV_WITHOUT_TIER,
      );
      expectFinding(
        report,
        "adds-nothing",
        "warning",
        "egress[0]",
        /payments\/netseg-allow-egress already lets it out and ingress to api\/\S+ refuses it \(isolated by api\/netseg-/,
      );
    });

    it("a rule whose clients may not send: the other side still denies", () => {
      // The public controller routes only to publicfrontal namespaces; payments is backoffice.
      const report = lint(
        ledger((f) => (f.ingress[0].from = [{ namespace: "ingress-publicfrontal" }])),
        DEV_WITHOUT_TIER,
      );
      expectFinding(
        report,
        "adds-nothing",
        "warning",
        "ingress[0]",
        /stays denied: egress from ingress-publicfrontal\/controller refuses it \(isolated by ingress-publicfrontal\/netseg-/,
      );
    });

    it("a rule the cluster tier denies, as an error naming the Admin rule", () => {
      // In dev the backoffice area's Admin policy takes no other controller than its own.
      const report = lint(
        ledger((f) => (f.ingress[0].from = [{ namespace: "ingress-publicfrontal" }])),
        DEV,
      );
      expectFinding(
        report,
        "cluster-tier",
        "error",
        "ingress[0]",
        /cannot open what it admits in stack dev: e\.g\. ingress-publicfrontal\/controller → payments\/\S+ TCP\/8080 is denied by Admin ClusterNetworkPolicy netseg-area-backoffice ingress\[\d+\] "no-other-pods" \(Deny\)/,
      );
      assert.ok(!report.findings.some((f) => f.check === "adds-nothing"));
    });

    it("a rule for the extra controller a workaround namespace admits: already open in migration, new in strict", () => {
      // payments keeps the internalservices controller, which finds it by its namespace label; in the strict
      // phase the controller reaches endpoint pods only, so the rule opens the ledger's.
      const report = lint(
        ledger((f) => (f.ingress[0].from = [{ namespace: "ingress-internalservices" }])),
        DEV,
      );
      expectFinding(
        report,
        "adds-nothing",
        "note",
        "ingress[0]",
        /adds nothing in the migration phase.*in the strict phase it opens 1 connection, e\.g\. ingress-internalservices\/controller → payments\/\S+ TCP\/8080/,
      );
    });

    it("a rule that only matters once the namespace is strict, as a note", () => {
      // In the migration phase every backoffice pod reaches every other; in the strict phase only endpoints.
      const report = lint(
        ledger((f) => (f.ingress[0].from = [{ area: "backoffice", pods: { "ledger-client": "true" } }])),
        DEV,
      );
      expectFinding(
        report,
        "adds-nothing",
        "note",
        "ingress[0]",
        /adds nothing in the migration phase, the phase of payments in stack dev .*in the strict phase it opens \d+ connections?, e\.g\. account-details\/client → payments\/\S+ TCP\/8080/,
      );
      const [migration, strict] = report.effects;
      assert.deepEqual(
        [migration?.phase, migration?.configured, migration?.opened.length],
        ["migration", true, 0],
      );
      assert.equal(strict?.phase, "strict");
      assert.ok((strict?.opened.length ?? 0) > 0);
    });
  });

  for (const name of readdirSync(join(ROOT, "examples", "contracts")).filter((n) => n.endsWith(".yaml"))) {
    // payments.yaml lets an internalservices consumer into backoffice, which only NetworkPolicy mode allows.
    const stack = name === "payments.yaml" ? PROD : DEV;
    it(`finds no error or warning in the example ${name}, checked against the ${stack.name} stack`, () => {
      const parsed = parseContractFile(readFileSync(join(ROOT, "examples", "contracts", name), "utf8"));
      assert.ok(parsed.contract);
      const report = lintContract(parsed.contract, stack);
      const serious = report.findings.filter((f) => f.severity !== "note");
      assert.deepEqual(serious, [], show(serious));
    });
  }
});
