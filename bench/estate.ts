/**
 * Generated estates for the benchmarks: the dev stack's config (its VPCs, data stores, sources and
 * controllers) with its namespaces replaced by `count` generated ones, spread over the three areas. About
 * one in ten is strict, and one in ten is a workaround namespace (backoffice, moved from
 * internalservices, still admitting the internalservices controller), as in dev.
 *
 * `node bench/estate.ts` is not a thing: `writeEstateStack()` writes the stack file `netseg plan --config`
 * reads, so the benchmark plans the estate with the real command in a process of its own.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { AREAS } from "../model/areas";
import { PROJECT, readStackFile } from "../model/stackFile";

/**
 * The dev cluster's pod ranges hold about 16,000 addresses, fewer than the stand-in pods of 10,000
 * namespaces; a third range of the same VPC holds the rest.
 */
const EXTRA_POD_RANGE = "10.20.128.0/17";

/** Name of the `index`-th generated namespace: sorts in creation order up to 100,000. */
export function estateNamespace(index: number): string {
  return `team-${String(index).padStart(5, "0")}`;
}

/** The namespaces entry of the `index`-th namespace: area by turn, every tenth strict, some workarounds. */
function namespaceEntry(index: number): Record<string, unknown> {
  const area = AREAS[index % AREAS.length]!;
  const strict = index % 10 === 9;
  // Residues 1, 4 and 7 of 30 are backoffice turns (≡ 1 mod 3) and never strict (≢ 9 mod 10): one in ten.
  const workaround = [1, 4, 7].includes(index % 30);
  return {
    area,
    ...(strict ? { phase: "strict" } : {}),
    ...(workaround ? { ingressControllers: ["internalservices"] } : {}),
  };
}

/** The stack config (`namespace:key` → string, as Pulumi hands it to programs) of a generated estate. */
export function estateConfig(count: number): Record<string, string> {
  const config = { ...readStackFile(join(__dirname, "..", "Pulumi.dev.yaml")).config };
  const cluster = JSON.parse(config[`${PROJECT}:cluster`]!) as { cidrs: string[] };
  config[`${PROJECT}:cluster`] = JSON.stringify({ ...cluster, cidrs: [...cluster.cidrs, EXTRA_POD_RANGE] });
  const namespaces = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [estateNamespace(i), namespaceEntry(i)]),
  );
  config[`${PROJECT}:namespaces`] = JSON.stringify(namespaces);
  return config;
}

/** Writes the estate as a stack file `Pulumi.<stack>.yaml` in `dir` and returns its path. */
export function writeEstateStack(dir: string, stack: string, count: number): string {
  const config: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(estateConfig(count))) {
    // Structured values go back to YAML structures, plain strings (a phase, a region) stay strings.
    config[key] = /^[[{]/.test(text) ? JSON.parse(text) : text;
  }
  const path = join(dir, `Pulumi.${stack}.yaml`);
  writeFileSync(path, stringify({ config }, { lineWidth: 0 }));
  return path;
}
