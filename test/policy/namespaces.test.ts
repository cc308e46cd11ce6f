import assert from "node:assert/strict";
import { join } from "node:path";
import { AREAS } from "../../model/areas";
import { parseConfig } from "../../model/config";
import { planNamespaces } from "../../model/namespaces";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import {
  isManagedNamespace,
  managedNamespaceProtectionProblems,
  type NamespaceLike,
  namespaceAreaLabelProblems,
} from "../../policy/namespaces";
import { ROOT } from "../support/stack";
import { type ShippedStack, stackCounts } from "../support/stackCounts";
import { stackFiles } from "./stackFiles";

function namespace(name: string, labels: Record<string, string>): NamespaceLike {
  return { metadata: { name, labels } };
}

const AREA_NS = { "netseg.dev/managed": "true", "netseg.dev/role": "area", networkArea: "backoffice" };

describe("policy: managed namespaces are protected", () => {
  const cases: { name: string; ns: NamespaceLike; protect: boolean; violations: number }[] = [
    {
      name: "accepts a protected managed namespace",
      ns: namespace("payments", AREA_NS),
      protect: true,
      violations: 0,
    },
    {
      name: "refuses an unprotected managed namespace",
      ns: namespace("payments", AREA_NS),
      protect: false,
      violations: 1,
    },
    {
      name: "treats a namespace with a netseg role as managed even without the managed label",
      ns: namespace("monitoring", { "netseg.dev/role": "tool" }),
      protect: false,
      violations: 1,
    },
    {
      name: "ignores a namespace the stack does not manage",
      ns: namespace("scratch", { team: "data" }),
      protect: false,
      violations: 0,
    },
    {
      name: 'ignores a managed label that is not "true"',
      ns: namespace("scratch", { "netseg.dev/managed": "false" }),
      protect: false,
      violations: 0,
    },
    { name: "ignores a namespace without metadata", ns: {}, protect: false, violations: 0 },
    {
      name: "lets a retired namespace go unprotected, to leave the stack",
      ns: namespace("payments", { "netseg.dev/managed": "true", "netseg.dev/role": "retired" }),
      protect: false,
      violations: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems = managedNamespaceProtectionProblems(c.ns, { protect: c.protect });
      assert.equal(problems.length, c.violations);
    });
  }

  it("names the namespace and asks for protect and retainOnDelete", () => {
    const [problem] = managedNamespaceProtectionProblems(namespace("payments", AREA_NS), { protect: false });
    assert.match(problem!, /"payments"/);
    assert.match(problem!, /protect: true/);
    assert.match(problem!, /retainOnDelete: true/);
  });
});

describe("policy: area labels", () => {
  const cases: { name: string; labels: Record<string, string>; expect?: RegExp }[] = [
    { name: "accepts an area namespace with a valid area", labels: AREA_NS },
    {
      name: "refuses an area namespace without networkArea",
      labels: { "netseg.dev/role": "area" },
      expect: /has the area role but no "networkArea" label/,
    },
    {
      name: "refuses an area namespace whose networkArea is not an area",
      labels: { ...AREA_NS, networkArea: "backofice" },
      expect:
        /networkArea="backofice", which is not an area; use one of publicfrontal, backoffice, internalservices/,
    },
    {
      name: "refuses networkArea on an ingress controller's namespace",
      labels: { "netseg.dev/role": "ingress-controller", networkArea: "publicfrontal" },
      expect: /has the "ingress-controller" role but carries networkArea="publicfrontal"/,
    },
    {
      name: "refuses networkArea on a tool's namespace",
      labels: { "netseg.dev/role": "tool", networkArea: "backoffice" },
      expect: /has the "tool" role/,
    },
    {
      name: "refuses networkArea on a namespace with no netseg role",
      labels: { networkArea: "internalservices" },
      expect: /has no netseg role but carries networkArea="internalservices"/,
    },
    { name: "accepts a tool namespace without networkArea", labels: { "netseg.dev/role": "tool" } },
    { name: "accepts an unlabelled namespace", labels: {} },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems = namespaceAreaLabelProblems(namespace("ns", c.labels));
      if (c.expect === undefined) assert.deepEqual(problems, []);
      else {
        assert.equal(problems.length, 1);
        assert.match(problems[0]!, c.expect);
      }
    });
  }
});

describe("policy: namespaces the model plans", () => {
  const files = stackFiles();
  assert.equal(files.length, 3);
  for (const file of files) {
    it(`finds every namespace of ${file} managed, and its area labels consistent`, () => {
      const config = parseConfig(rawConfigOf(readStackFile(join(ROOT, file)).config));
      const planned = planNamespaces(config);
      // The area namespaces, each area's controller's and the tools'.
      const counts = stackCounts(file.split(".")[1] as ShippedStack);
      assert.equal(planned.length, counts.namespaces + AREAS.length + counts.tools);
      for (const spec of planned) {
        const ns = namespace(spec.name, { ...spec.labels });
        assert.ok(isManagedNamespace(ns), spec.name);
        assert.deepEqual(namespaceAreaLabelProblems(ns), [], spec.name);
      }
    });
  }
});
