import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { type LintReport, SKIPPED } from "../../analysis/contractLint";
import { run } from "../../cli/main";
import { formatProblem } from "../../core/problems";
import { parseConfig } from "../../model/config";
import {
  ContractError,
  contract,
  type Finding,
  Pods,
  parseContractFile,
  renderContract,
  type StackContext,
  Store,
  stackContext,
  uses,
} from "../../model/contracts";
import { rawConfigOf } from "../../model/stackFile";
import { lintFile as lint, showFindings as show } from "../support/contractLint";
import { devConfig, editedConfig, ROOT } from "../support/stack";

type File = Record<string, any>;
type Values = Record<string, any>;

/** The dev stack as `netseg contract lint --stack dev` reads it, with `edit` applied to its config values. */
function dev(edit?: (values: Values) => void): StackContext {
  const raw = rawConfigOf(edit ? editedConfig(edit) : devConfig());
  return stackContext("dev", parseConfig(raw), raw);
}

const DEV = dev();

/** The dev config's store entry named `name`, to edit in place. */
const storeIn = (values: Values, name: string) =>
  (values.dataStores as Values[]).find((store) => store.name === name)!;

/** A contract of account-details (backoffice, migration phase in dev) that uses `stores`. */
function accountDetails(stores: File[], edit: (file: File) => void = () => {}): File {
  const file: File = { name: "account-details", namespace: "account-details", stores };
  edit(file);
  return file;
}

const storeFindings = (report: LintReport) => report.findings.filter((f) => f.check === "store-client");

/** The one store-client finding, at `path`, of `severity`, its text matching `message`. */
function expectStoreFinding(
  report: LintReport,
  severity: Finding["severity"],
  path: string,
  message: RegExp,
) {
  const found = storeFindings(report);
  assert.equal(found.length, 1, show(report.findings));
  assert.equal(found[0]!.path, path, show(found));
  assert.equal(found[0]!.severity, severity, show(found));
  assert.equal(found[0]!.rule, "store-client");
  assert.match(formatProblem(found[0]!), message);
}

describe("contracts name the data stores their pods use", () => {
  describe("the contract file and the TypeScript vocabulary", () => {
    it("read a store use into the model, every pod of the namespace when no pods are given", () => {
      const parsed = parseContractFile(
        JSON.stringify(
          accountDetails([
            { name: "account-details-db", why: "Account details live there." },
            { name: "account-details-cache", pods: { app: "api" }, why: "The API caches lookups." },
          ]),
        ),
      );
      assert.deepEqual(parsed.contract?.stores, [
        { name: "account-details-db", pods: {}, why: "Account details live there." },
        { name: "account-details-cache", pods: { app: "api" }, why: "The API caches lookups." },
      ]);
    });

    it("build the same contract from uses(Store.named(...)) as from the file's stores", () => {
      const built = contract("account-details", {
        namespace: "account-details",
        rules: [
          uses(Store.named("account-details-db"), "Account details live there."),
          uses(Store.named("account-details-cache"), "The API caches lookups.", {
            pods: Pods.labelled({ app: "api" }),
          }),
        ],
      });
      const file = parseContractFile(
        JSON.stringify(
          accountDetails([
            { name: "account-details-db", why: "Account details live there." },
            { name: "account-details-cache", pods: { app: "api" }, why: "The API caches lookups." },
          ]),
        ),
      );
      assert.deepEqual(built, file.contract);
    });

    it("render no policy for a store use: the store's clients in the stack open it", () => {
      const parsed = parseContractFile(
        JSON.stringify(accountDetails([{ name: "account-details-db", why: "Account details live there." }])),
      );
      assert.ok(parsed.contract);
      assert.deepEqual(renderContract(parsed.contract), []);
    });

    // Each front end refuses the same entries, with the same path and words.
    const refused: [string, File, string, RegExp][] = [
      [
        "a name that is not a store's",
        { name: "Account_DB", why: "x" },
        "name",
        /is not a data store's name/,
      ],
      ["an entry without why", { name: "account-details-db" }, "why", /why/],
      ["an unknown field", { name: "account-details-db", why: "x", port: 5432 }, "port", /port/],
    ];
    assert.equal(refused.length, 3);
    for (const [what, entry, field, message] of refused) {
      it(`refuse ${what} in the file`, () => {
        const parsed = parseContractFile(JSON.stringify(accountDetails([entry])));
        assert.equal(parsed.contract, undefined);
        const issue = parsed.issues.find((candidate) => candidate.path === `stores[0].${field}`);
        assert.ok(issue, parsed.issues.map(formatProblem).join("\n"));
        assert.match(formatProblem(issue), message);
      });
    }

    it("refuse a store name in Store.named as the file does", () => {
      assert.throws(
        () => Store.named("Account_DB"),
        (error: unknown) => {
          assert.ok(error instanceof ContractError, String(error));
          assert.equal(error.problems.length, 1, error.message);
          assert.equal(error.problems[0]!.path, 'Store.named("Account_DB")');
          assert.match(error.message, /"Account_DB" is not a data store's name/);
          return true;
        },
      );
    });
  });

  describe("lint, alone", () => {
    it("says the store check needs a stack, and finds nothing to say about stores without one", () => {
      const report = lint(accountDetails([{ name: "no-such-store", why: "x" }]));
      assert.deepEqual(storeFindings(report), []);
      assert.ok(report.skipped.includes(SKIPPED.stack));
      assert.match(SKIPPED.stack, /data stores/);
    });

    it("finds store pods that match none of the service's workloads", () => {
      const report = lint(
        accountDetails([{ name: "account-details-db", pods: { app: "apii" }, why: "x" }], (f) => {
          f.workloads = [{ name: "api", labels: { app: "api" } }];
        }),
      );
      const found = report.findings.filter((f) => f.check === "no-pod");
      assert.equal(found.length, 1, show(report.findings));
      assert.equal(found[0]!.path, "stores[0].pods");
    });

    it("finds the area label used as a store's pod label", () => {
      const report = lint(
        accountDetails([{ name: "account-details-db", pods: { networkArea: "backoffice" }, why: "x" }]),
      );
      const found = report.findings.filter((f) => f.check === "area-label-on-pods");
      assert.equal(found.length, 1, show(report.findings));
      assert.equal(found[0]!.path, "stores[0].pods.networkArea");
    });
  });

  describe("lint against the dev stack", () => {
    it("says nothing about a store in clients phase whose clients include the namespace", () => {
      // account-details-db is in clients phase in dev, with every pod of account-details as its client.
      const report = lint(
        accountDetails([
          { name: "account-details-db", why: "Account details live there." },
          { name: "account-details-db", pods: { app: "api" }, why: "The API reads them." },
        ]),
        DEV,
      );
      assert.deepEqual(storeFindings(report), [], show(report.findings));
    });

    it("refuses a store the stack does not have, listing those it has and the one probably meant", () => {
      const report = lint(accountDetails([{ name: "account-detail-db", why: "x" }]), DEV);
      expectStoreFinding(
        report,
        "error",
        "stores[0].name",
        /"account-detail-db" is not a data store of stack dev; its stores are account-details-cache, account-details-db, api-db, .*webhooks-db; did you mean "account-details-db"\?/,
      );
      const listed = /its stores are (.+)$/.exec(storeFindings(report)[0]!.problem)?.[1]?.split(", ");
      assert.equal(DEV.config.dataStores.length, 17);
      assert.deepEqual(listed, DEV.config.dataStores.map((store) => store.name).sort());
    });

    it("refuses a store in clients phase whose clients leave the namespace out, saying what to add where", () => {
      // beneficiaries is backoffice like account-details-db, and not its client. The fix points at the
      // store's entry in the stack file: the first.
      const report = lint(
        accountDetails([{ name: "account-details-db", why: "x" }], (f) => {
          f.name = "beneficiaries";
          f.namespace = "beneficiaries";
        }),
        DEV,
      );
      expectStoreFinding(
        report,
        "error",
        "stores[0].name",
        /"account-details-db" is in clients phase, and beneficiaries is not among its clients \(account-details\): the pods of beneficiaries cannot reach it, in either layer; ask the platform team to add \{namespace: beneficiaries\} to segmentation:dataStores\[0\]\.clients in stack dev/,
      );
    });

    it("points at the store's entry in the file's order, not the sorted one", () => {
      // ebo-db is the 7th entry of Pulumi.dev.yaml, and the 8th by name.
      const names = DEV.config.dataStores.map((store) => store.name);
      assert.equal(names.indexOf("ebo-db"), 7);
      assert.equal(DEV.dataStoreOrder?.indexOf("ebo-db"), 6);
      const report = lint(accountDetails([{ name: "ebo-db", why: "x" }]), DEV);
      expectStoreFinding(
        report,
        "warning",
        "stores[0].name",
        /to segmentation:dataStores\[6\]\.clients in stack dev/,
      );
    });

    it("warns about an open store whose clients leave the namespace out: it closes on them later", () => {
      const report = lint(accountDetails([{ name: "ebo-db", pods: { app: "reports" }, why: "x" }]), DEV);
      expectStoreFinding(
        report,
        "warning",
        "stores[0].name",
        /"ebo-db" is still open to the cluster's pod ranges, and account-details is not among its clients \(ebo\): the pods of account-details with app=reports lose it when the store moves to clients phase; ask the platform team to add \{namespace: account-details, podLabels: \{app: reports\}\}/,
      );
    });

    it("notes an open store whose clients include the namespace: recorded, not yet enforced", () => {
      const report = lint(accountDetails([{ name: "account-details-cache", why: "x" }]), DEV);
      expectStoreFinding(
        report,
        "note",
        "stores[0].name",
        /"account-details-cache" is still in open phase: .* so this use is recorded but not yet enforced/,
      );
    });

    it("refuses a store in a VPC the namespace's area may not reach: the stack would refuse the client", () => {
      // payments-query-docs is in natonly, which backoffice namespaces do not reach.
      const report = lint(accountDetails([{ name: "payments-query-docs", why: "x" }]), DEV);
      expectStoreFinding(
        report,
        "error",
        "stores[0].name",
        /is in VPC natonly, which the area rules keep from backoffice namespaces such as account-details/,
      );
    });

    it("notes a store whose group the stack manages no rule on, instead of checking clients it cannot have", () => {
      // kafka (MSK) is not opened by the stack unless openFromCluster is set.
      const kafka = DEV.config.dataStores.find((store) => store.name === "kafka");
      assert.equal(kafka?.openFromCluster, false);
      const report = lint(accountDetails([{ name: "kafka", why: "x" }]), DEV);
      expectStoreFinding(report, "note", "stores[0].name", /manages no rule on \(openFromCluster is off\)/);
    });
  });

  describe("lint against clients that name pod labels", () => {
    // account-details-db's only client becomes the pods of account-details labelled app=api.
    const stack = dev((values) => {
      storeIn(values, "account-details-db").clients = [
        { namespace: "account-details", podLabels: { app: "api" } },
      ];
    });

    const cases: [string, File, "ok" | [path: string, message: RegExp]][] = [
      [
        "refuses a use by every pod of the namespace",
        { name: "account-details-db", why: "x" },
        [
          "stores[0].name",
          /its clients in account-details are only account-details pods with app=api: the pods of account-details cannot reach it/,
        ],
      ],
      [
        "refuses a use by other pods, pointing at the pods",
        { name: "account-details-db", pods: { app: "worker" }, why: "x" },
        [
          "stores[0].pods",
          /selects pods the clients of data store account-details-db leave out \(its clients in account-details are only account-details pods with app=api\); the store is in clients phase, so they cannot reach it.*add \{namespace: account-details, podLabels: \{app: worker\}\}/,
        ],
      ],
      [
        "accepts a use by pods that carry the client's labels and more",
        { name: "account-details-db", pods: { app: "api", tier: "web" }, why: "x" },
        "ok",
      ],
    ];
    assert.equal(cases.length, 3);
    for (const [what, entry, expected] of cases) {
      it(what, () => {
        const report = lint(accountDetails([entry]), stack);
        if (expected === "ok") assert.deepEqual(storeFindings(report), [], show(report.findings));
        else expectStoreFinding(report, "error", expected[0], expected[1]);
      });
    }

    it("accepts pods whose declared workloads all carry a client's labels", () => {
      // tier=backend alone does not carry app=api, but the one workload it selects does.
      const file = accountDetails(
        [{ name: "account-details-db", pods: { tier: "backend" }, why: "x" }],
        (f) => {
          f.workloads = [{ name: "api", labels: { app: "api", tier: "backend" } }];
        },
      );
      assert.deepEqual(storeFindings(lint(file, stack)), []);
      // AND a second backend workload without the label is left out again
      file.workloads.push({ name: "batch", labels: { app: "batch", tier: "backend" } });
      expectStoreFinding(lint(file, stack), "error", "stores[0].pods", /leave out/);
    });
  });

  it("netseg contract lint --stack dev locates a store finding in the file and exits 2", async () => {
    const text = [
      "name: beneficiaries",
      "namespace: beneficiaries",
      "stores:",
      "  - name: account-details-db",
      "    why: x",
      "",
    ].join("\n");
    let stdout = "";
    const code = await run(["contract", "lint", "use.yaml", "--stack", "dev"], {
      stdout: (out) => {
        stdout += out;
      },
      stderr: () => {},
      readFile: (path) =>
        path === "use.yaml" ? text : readFileSync(isAbsolute(path) ? path : join(ROOT, path), "utf8"),
    });
    assert.equal(code, 2, stdout);
    assert.match(
      stdout,
      /error +use\.yaml:4: stores\[0\]\.name: "account-details-db" is in clients phase, .*segmentation:dataStores\[0\]\.clients in stack dev\./,
    );
  });
});
