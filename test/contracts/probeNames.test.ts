import assert from "node:assert/strict";
import { parseConfig } from "../../model/config";
import { stackContext } from "../../model/contracts";
import { rawConfigOf } from "../../model/stackFile";
import { ledger, lintFile } from "../support/contractLint";
import { editedConfig, withoutCni } from "../support/stack";

describe("contract lint's probe estate", () => {
  it("lints a service whose workloads share a name with the platform's stand-in pods", () => {
    // GIVEN payments' workloads called worker and endpoint, the names of the stand-ins of every area namespace
    // (dev in NetworkPolicy mode, where the ledger's consumer from another area may be let in)
    const raw = rawConfigOf(editedConfig(withoutCni));
    const file = ledger((f) => {
      f.workloads = [
        { name: "worker", labels: { app: "ledger" } },
        { name: "endpoint", labels: { app: "ledger-admin" } },
      ];
    });
    // WHEN lint composes it with the dev stack, THEN the evaluator takes the estate (it refuses two pods of
    // one name in a namespace) and the workload joins under a name of its own
    const report = lintFile(file, stackContext("dev", parseConfig(raw), raw));
    const opened = report.effects.flatMap((effect) => effect.opened);
    assert.ok(opened.length > 0);
    assert.ok(
      opened.every((flow) => flow.to.pod?.namespace === "payments" && flow.to.pod.name === "worker-2"),
      JSON.stringify(opened.map((flow) => flow.to.pod)),
    );
  });
});
