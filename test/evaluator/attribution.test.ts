import assert from "node:assert/strict";
import type { Probe } from "../../evaluator";
import { endpoint, evaluatorOf, policy } from "./estate";

const probe = (from: string, to: string, port: number | string = 80): Probe => ({
  from: endpoint(from),
  to: endpoint(to),
  port,
});

// x: default deny both ways, ingress from y (two ways) and egress to z on 80 only.
const evaluator = evaluatorOf([
  policy("x", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
  policy("x", "from-y", {
    podSelector: {},
    ingress: [
      { from: [{ podSelector: { matchLabels: { pod: "a" } } }], ports: [{ port: 81 }] },
      {
        from: [
          { podSelector: { matchLabels: { pod: "zz" } } },
          { namespaceSelector: { matchLabels: { ns: "y" } } },
        ],
      },
    ],
  }),
  policy("x", "from-y-b", {
    podSelector: { matchLabels: { pod: "a" } },
    ingress: [{ from: [{ ipBlock: { cidr: "10.0.2.2/32" } }] }],
  }),
  policy("x", "to-z", {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [
      { to: [{ namespaceSelector: { matchLabels: { ns: "z" } } }], ports: [{ port: "serve-80-tcp" }] },
    ],
  }),
]);

describe("evaluator: attribution", () => {
  it("names every policy that isolates the destination, sorted", () => {
    const result = evaluator.probe(probe("y/a", "x/a"));
    assert.deepEqual(result.ingress.isolatedBy, ["x/default-deny", "x/from-y", "x/from-y-b"]);
    assert.equal(result.ingress.isolated, true);
  });

  it("names each rule that allowed it, with the peer that matched", () => {
    const result = evaluator.probe(probe("y/b", "x/a"));
    assert.equal(result.verdict, "allow");
    assert.deepEqual(result.ingress.allowedBy, [
      { policy: "x/from-y", direction: "ingress", rule: 1, peer: 1 },
      { policy: "x/from-y-b", direction: "ingress", rule: 0, peer: 0 },
    ]);
    assert.match(
      result.reason,
      /ingress to x\/a: allowed by x\/from-y ingress\[1\]\.from\[1\], x\/from-y-b ingress\[0\]\.from\[0\]/,
    );
  });

  it("says a side that no policy selects is not isolated", () => {
    const result = evaluator.probe(probe("y/b", "x/a"));
    assert.deepEqual(
      {
        isolated: result.egress.isolated,
        isolatedBy: result.egress.isolatedBy,
        allowed: result.egress.allowed,
      },
      { isolated: false, isolatedBy: [], allowed: true },
    );
    assert.match(result.reason, /egress from y\/b: not isolated/);
  });

  it("explains a deny by the isolating policies and the connection no rule admits", () => {
    const result = evaluator.probe(probe("z/a", "x/b", 81));
    assert.equal(result.verdict, "deny");
    assert.deepEqual(result.ingress.allowedBy, []);
    assert.equal(result.ingress.allowed, false);
    assert.match(
      result.reason,
      /^ingress to x\/b: isolated by x\/default-deny, x\/from-y, and no ingress rule allows TCP\/81 from z\/a/,
    );
  });

  it("leads with the side that denied", () => {
    const result = evaluator.probe(probe("x/a", "y/a"));
    assert.equal(result.verdict, "deny");
    assert.match(
      result.reason,
      /^egress from x\/a: isolated by x\/default-deny, x\/to-z, and no egress rule/,
    );
  });

  it("names the egress rule and shows the named port it resolved", () => {
    const result = evaluator.probe(probe("x/c", "z/b", "serve-80-tcp"));
    assert.equal(result.verdict, "allow");
    assert.deepEqual(result.connection, { port: 80, protocol: "TCP", portName: "serve-80-tcp" });
    assert.deepEqual(result.egress.allowedBy, [{ policy: "x/to-z", direction: "egress", rule: 0, peer: 0 }]);
    assert.match(result.reason, /egress from x\/c: allowed by x\/to-z egress\[0\]\.to\[0\]/);
  });

  it("leaves out the peer for a rule that admits everyone", () => {
    const open = evaluatorOf([
      policy("y", "open", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
    ]);
    const result = open.probe(probe("x/a", "y/c"));
    assert.deepEqual(result.ingress.allowedBy, [{ policy: "y/open", direction: "ingress", rule: 0 }]);
  });

  it("has no pod on the side of an outside address", () => {
    const result = evaluator.probe(probe("198.51.100.7", "x/a"));
    assert.equal(result.egress.pod, undefined);
    assert.equal(result.egress.allowed, true);
    assert.equal(result.verdict, "deny");
    assert.doesNotMatch(result.reason, /egress/);
  });

  it("treats an address that belongs to a pod as that pod", () => {
    const result = evaluator.probe(probe("10.0.1.3", "10.0.2.1"));
    assert.equal(result.egress.pod, "x/c");
    assert.equal(result.ingress.pod, "y/a");
    assert.equal(result.verdict, "deny");
  });

  it("reads an address written as a /32 or with blanks as the address", () => {
    for (const ip of ["10.0.2.1/32", " 10.0.2.1 "]) {
      const result = evaluator.probe({ from: { ip }, to: endpoint("x/a"), port: 80 });
      assert.equal(result.egress.pod, "y/a");
      assert.equal(result.verdict, "allow");
    }
  });

  it("says why a pod reaches itself although it is isolated", () => {
    const result = evaluator.probe(probe("x/b", "x/b", 9999));
    assert.equal(result.verdict, "allow");
    assert.match(result.reason, /x\/b connects to itself/);
  });
});
