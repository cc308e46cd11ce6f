import assert from "node:assert/strict";
import { LAYERS, layerOf, repositoryFiles, type SourceFile, violations } from "./support/layers";
import { ROOT } from "./support/stack";

describe("the layering of the code", () => {
  const files = repositoryFiles(ROOT);

  it("holds for every import of every TypeScript file", () => {
    // The walk must have found the whole code base, or an empty list would pass.
    assert.ok(files.length >= 140, `only ${files.length} files found under ${ROOT}`);
    assert.deepEqual(violations(files), []);
  });

  it("has files in every layer, so none of its rules is vacuous", () => {
    const used = new Set(files.map((file) => layerOf(file.path)));
    assert.equal(LAYERS.length, 11);
    for (const layer of LAYERS) assert.ok(used.has(layer), `no file in layer ${layer}`);
  });

  const wrongWay: [string, SourceFile][] = [
    [
      "core importing the model",
      { path: "core/cidr.ts", text: 'import type { Area } from "../model/areas";' },
    ],
    [
      "the evaluator importing the model",
      { path: "evaluator/input.ts", text: 'import { contains } from "../model/cidr";' },
    ],
    [
      "the evaluator importing the analysis",
      { path: "evaluator/x.ts", text: 'export * from "../analysis/estate";' },
    ],
    ["the model importing the CLI", { path: "config.ts", text: 'import { x } from "./cli/stackFile";' }],
    [
      "a contract importing the analysis",
      {
        path: "model/contracts/lint.ts",
        text: 'import { Reachability } from "../../analysis/reachability";',
      },
    ],
    ["the model importing the evaluator", { path: "model/x.ts", text: 'const e = require("../evaluator");' }],
    ["the model importing Pulumi", { path: "model/x.ts", text: 'import * as pulumi from "@pulumi/pulumi";' }],
    [
      "the analysis importing the CLI",
      { path: "analysis/x.ts", text: 'import type { Plan } from "../cli/plan/plan";' },
    ],
    [
      "a component importing the analysis",
      { path: "components/x.ts", text: 'import { probeEstate } from "../analysis/estate";' },
    ],
    ["the program importing the CLI", { path: "program.ts", text: 'import("./cli/main");' }],
    ["a file outside every layer", { path: "scratch/x.ts", text: "" }],
    [
      "the service API loading the program",
      { path: "service/index.ts", text: 'export * from "../program";' },
    ],
  ];
  assert.equal(wrongWay.length, 12);
  for (const [what, file] of wrongWay) {
    it(`fails on ${what}`, () => {
      const found = violations([file]);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]!.file, file.path);
    });
  }

  it("accepts the edges the layering allows", () => {
    const allowed: SourceFile[] = [
      {
        path: "analysis/x.ts",
        text: 'import "../core/cidr"; import "../evaluator"; import "../model/config";',
      },
      {
        path: "cli/x.ts",
        text: 'import "../analysis/design"; import "../program"; import "../components/x";',
      },
      { path: "components/x.ts", text: 'import * as pulumi from "@pulumi/pulumi"; import "../model/aws";' },
      { path: "test/x.test.ts", text: 'import "../cli/main"; import "../index";' },
    ];
    assert.deepEqual(violations(allowed), []);
  });
});
