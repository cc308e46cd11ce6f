import assert from "node:assert/strict";
import {
  expectedEgress,
  expectedIngress,
  externalDestinations,
  type Source,
} from "../../analysis/expectations";
import { AREAS, type Area } from "../../model/areas";
import type { NamespaceConfig } from "../../model/config";
import { parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import {
  EGRESS,
  egressRowOf,
  MIGRATION_INGRESS,
  type SourceRow,
  STRICT_INGRESS,
} from "../support/designTables";
import { devConfig } from "../support/stack";

const OTHER: Record<Area, Area> = {
  publicfrontal: "backoffice",
  backoffice: "internalservices",
  internalservices: "publicfrontal",
};

function destination(area: Area, phase: "migration" | "strict"): NamespaceConfig {
  return { name: "dest", area, phase, extraIngressControllers: [], labels: {} };
}

function sourceFor(row: SourceRow, area: Area): Source {
  switch (row) {
    case "same namespace":
      return { kind: "area-pod", namespace: "dest", area };
    case "another namespace of the same area":
      return { kind: "area-pod", namespace: "sibling", area };
    case "a namespace in publicfrontal":
      return { kind: "area-pod", namespace: "other", area: "publicfrontal" };
    case "a namespace in backoffice":
      return { kind: "area-pod", namespace: "other", area: "backoffice" };
    case "a namespace in internalservices":
      return { kind: "area-pod", namespace: "other", area: "internalservices" };
    case "A's own ingress controller":
      return { kind: "controller", area };
    case "another area's ingress controller":
      return { kind: "controller", area: OTHER[area] };
    case "monitoring":
      return { kind: "monitoring" };
    case "a namespace with no area label":
      return { kind: "unlabelled", namespace: "default" };
    case "an address outside the cluster":
      return { kind: "external" };
  }
}

describe("the design's expectations, as the model computes them", () => {
  for (const [row, cells] of Object.entries(MIGRATION_INGRESS) as [SourceRow, Record<Area, string>][]) {
    for (const area of AREAS) {
      it(`migration: ${row} → ${area} is ${cells[area]}`, () => {
        const expected = expectedIngress(sourceFor(row, area), destination(area, "migration"), false);
        assert.equal(expected.allow ? "allow" : "deny", cells[area], expected.rule);
      });
    }
  }

  for (const [row, cells] of Object.entries(STRICT_INGRESS) as [
    SourceRow,
    Record<Area, [string, string]>,
  ][]) {
    for (const area of AREAS) {
      it(`strict: ${row} → ${area} is ${cells[area][0]} to endpoint pods, ${cells[area][1]} to others`, () => {
        const source = sourceFor(row, area);
        const toEndpoint = expectedIngress(source, destination(area, "strict"), true);
        const toOther = expectedIngress(source, destination(area, "strict"), false);
        assert.deepEqual(
          [toEndpoint.allow, toOther.allow].map((a) => (a ? "allow" : "deny")),
          cells[area],
        );
      });
    }
  }

  it("lets a workaround namespace's extra controller in, in both phases", () => {
    const workaround = (phase: "migration" | "strict"): NamespaceConfig => ({
      ...destination("backoffice", phase),
      extraIngressControllers: ["internalservices"],
    });
    const controller: Source = { kind: "controller", area: "internalservices" };
    assert.equal(expectedIngress(controller, workaround("migration"), false).allow, true);
    assert.equal(expectedIngress(controller, workaround("strict"), true).allow, true);
    assert.equal(expectedIngress(controller, workaround("strict"), false).allow, false);
    assert.equal(
      expectedIngress({ kind: "controller", area: "publicfrontal" }, workaround("migration"), false).allow,
      false,
    );
  });

  it("matches the egress table for every area and destination", () => {
    const config = parseConfig(rawConfigOf(devConfig()));
    const destinations = externalDestinations(config);
    assert.deepEqual(new Set(destinations.map(egressRowOf)), new Set(Object.keys(EGRESS)));
    for (const area of AREAS) {
      for (const d of destinations) {
        const expected = EGRESS[egressRowOf(d)][area];
        assert.equal(
          expectedEgress(config, destination(area, "migration"), d).allow ? "allow" : "deny",
          expected,
          `${area} → ${d.ip}`,
        );
      }
    }
  });

  it("picks VPC addresses outside the cluster's pod ranges", () => {
    const config = parseConfig(rawConfigOf(devConfig()));
    const backoffice = externalDestinations(config).find((d) => d.kind === "vpc" && d.vpc === "backoffice");
    assert.ok(backoffice);
    assert.ok(
      backoffice.ip.startsWith("10.20.") &&
        !backoffice.ip.startsWith("10.20.0.") &&
        Number(backoffice.ip.split(".")[2]) >= 64,
    );
  });
});
