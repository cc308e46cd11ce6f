/**
 * The plan directory: what `netseg plan` writes and `verify --plan`, `diff` and `explain --plan` read back.
 *
 *   kubernetes/<namespace>.yaml  every namespaced object, the Namespace first
 *   kubernetes/cluster.yaml      cluster-scoped objects (IngressClasses, admission policies...)
 *   helm/<release>.yaml          each Helm chart: chart, version, repository, namespace, values
 *   aws/resources.json           AWS and EKS resources: type, name, provider, options, inputs
 *   resources.json               every resource the program declared, one per line (for resource diffs)
 *   config.json                  the normalised config (rebuilds the probe estate)
 *   outputs.json                 the stack outputs
 *   reachability.md|svg|html     who reaches whom
 *
 * Output is deterministic: keys sorted, objects in a fixed order, no timestamps, so plans of the same input
 * are byte-identical and a plan directory can be committed and compared with plain `diff`.
 *
 * Reading back, the Kubernetes objects come from the YAML (what a person reviews and might edit), and the
 * resources from `resources.json`.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import type { SegmentationConfig } from "../../model/config";
import { CommandError } from "../commands/command";
import type { Manifest } from "../manifests";
import type { RecordedResource } from "../offline";
import type { Plan } from "./plan";
import { yamlText } from "./yaml";

export interface PlanFile {
  /** Path inside the plan directory, with `/` separators. */
  path: string;
  content: string;
  /** The content in pieces, for a file too large to hold whole next to the rest of the plan. */
  chunks?(): Iterable<string>;
}

/**
 * A file rendered when it is read, not when the plan is: written one after the other, only one file's text
 * is alive at a time, where a plan of 10,000 namespaces has hundreds of megabytes of YAML and JSON.
 */
function lazyFile(path: string, render: () => string): PlanFile {
  return {
    path,
    get content() {
      return render();
    },
  };
}

/**
 * A JSON array written element by element, one element per line: a changed resource is a changed line
 * for `diff`, and the file is a quarter smaller than indented (17 MB at 1,000 namespaces), less to
 * stringify and write.
 */
function jsonArrayFile<T>(path: string, items: readonly T[], record: (item: T) => unknown): PlanFile {
  function* chunks(): Generator<string> {
    if (items.length === 0) {
      yield "[]\n";
      return;
    }
    for (let i = 0; i < items.length; i++) {
      yield `${i === 0 ? "[\n" : ",\n"}${JSON.stringify(record(items[i]!))}`;
    }
    yield "\n]\n";
  }
  return {
    path,
    get content() {
      return [...chunks()].join("");
    },
    chunks,
  };
}

/** Files that mark a directory as a plan, so `--out` never empties a directory that is something else. */
const MARKERS = ["config.json", "resources.json"];

/** Object keys sorted at every level: the one canonical form of a value. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** JSON with sorted keys; `ordered` keeps the key order of records this module builds itself. */
export function json(value: unknown, ordered = false): string {
  return `${JSON.stringify(ordered ? value : canonical(value), null, 2)}\n`;
}

/** A recorded resource with its identity first and its inputs in canonical order. */
function resourceRecord(r: RecordedResource, fields: "all" | "aws"): Record<string, unknown> {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    ...(fields === "all" && r.parent ? { parent: r.parent } : {}),
    ...(fields === "all" ? { custom: r.custom } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
    options: canonical(r.options),
    inputs: canonical(r.inputs),
  };
}

function yamlDocuments(values: readonly unknown[]): string {
  // lineWidth 0: long descriptions stay on one line instead of folding at an arbitrary column.
  return values.map((value) => yamlText(canonical(value))).join("---\n");
}

/** The package a resource type belongs to: `aws` for `aws:ec2/route:Route` and `pulumi:providers:aws`. */
function packageOf(type: string): string {
  const parts = type.split(":");
  return parts[0] === "pulumi" && parts[1] === "providers" ? (parts[2] ?? "") : (parts[0] ?? "");
}

const byName = (a: Manifest, b: Manifest) =>
  `${a.kind}/${a.metadata.name}` < `${b.kind}/${b.metadata.name}` ? -1 : 1;

export function kubernetesFiles(manifests: readonly Manifest[]): PlanFile[] {
  const byNamespace = new Map<string, Manifest[]>();
  const cluster: Manifest[] = [];
  for (const manifest of manifests) {
    const namespace =
      manifest.kind === "Namespace" && manifest.apiVersion === "v1"
        ? manifest.metadata.name
        : manifest.metadata.namespace;
    if (namespace === undefined) cluster.push(manifest);
    else {
      const objects = byNamespace.get(namespace);
      if (objects) objects.push(manifest);
      else byNamespace.set(namespace, [manifest]);
    }
  }
  const files = [...byNamespace]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([namespace, objects]) => {
      const isNamespace = (m: Manifest) => m.kind === "Namespace" && m.apiVersion === "v1";
      const ordered = [
        ...objects.filter(isNamespace),
        ...objects.filter((m) => !isNamespace(m)).sort(byName),
      ];
      return lazyFile(`kubernetes/${namespace}.yaml`, () => yamlDocuments(ordered));
    });
  if (cluster.length > 0) {
    files.push(lazyFile("kubernetes/cluster.yaml", () => yamlDocuments([...cluster].sort(byName))));
  }
  return files;
}

export function helmFiles(resources: readonly RecordedResource[]): PlanFile[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:helm.sh/"))
    .map((r) => {
      const inputs = r.inputs as Record<string, unknown> & { repositoryOpts?: { repo?: string } };
      const release = typeof inputs.name === "string" ? inputs.name : r.name;
      return {
        path: `helm/${release}.yaml`,
        // The chart's identity first, its values last: the order a reviewer reads a release in.
        content: stringify(
          {
            release,
            chart: inputs.chart,
            version: inputs.version,
            repository: inputs.repositoryOpts?.repo,
            namespace: inputs.namespace,
            urn: r.urn,
            values: canonical(inputs.values ?? {}),
          },
          { lineWidth: 0 },
        ),
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

export function awsResources(resources: readonly RecordedResource[]): unknown[] {
  return resources
    .filter((r) => ["aws", "eks"].includes(packageOf(r.type)))
    .map((r) => resourceRecord(r, "aws"));
}

/** Every file of the plan directory, with the reports already rendered. */
export function planFiles(plan: Plan, reports: { markdown: string; svg: string; html: string }): PlanFile[] {
  return [
    lazyFile("config.json", () => json(plan.config)),
    lazyFile("outputs.json", () => json(plan.outputs)),
    jsonArrayFile("resources.json", plan.resources, (r) => resourceRecord(r, "all")),
    lazyFile("aws/resources.json", () => json(awsResources(plan.resources), true)),
    ...kubernetesFiles(plan.manifests),
    ...helmFiles(plan.resources),
    { path: "reachability.md", content: reports.markdown },
    { path: "reachability.svg", content: reports.svg },
    { path: "reachability.html", content: reports.html },
  ];
}

/** Replaces the directory's contents with the files; refuses a non-empty directory that is not a plan. */
export function writePlanDirectory(dir: string, files: readonly PlanFile[]): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new CommandError(`${dir} exists and is not a directory`);
    const entries = readdirSync(dir);
    if (entries.length > 0 && !MARKERS.every((marker) => entries.includes(marker))) {
      throw new CommandError(
        `${dir} is not empty and holds no plan; netseg plan replaces everything in its output ` +
          "directory, so choose an empty or new one with --out",
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  for (const file of files) {
    const path = join(dir, ...file.path.split("/"));
    mkdirSync(dirname(path), { recursive: true });
    if (!file.chunks) {
      writeFileSync(path, file.content);
      continue;
    }
    const fd = openSync(path, "w");
    try {
      for (const chunk of file.chunks()) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
  }
}

/** Reads a plan directory back; names the file when something is missing or unreadable. */
export function readPlanDirectory(dir: string): Plan {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CommandError(`${dir}: no such directory`);
  for (const marker of MARKERS) {
    if (!existsSync(join(dir, marker))) {
      throw new CommandError(
        `${dir} is not a plan directory (it has no ${marker}); write one with netseg plan --out`,
      );
    }
  }
  const readJson = <T>(name: string): T => {
    try {
      return JSON.parse(readFileSync(join(dir, name), "utf8")) as T;
    } catch (error) {
      throw new CommandError(`${join(dir, name)}: ${(error as Error).message}`);
    }
  };
  const config = readJson<SegmentationConfig>("config.json");
  if (!Array.isArray(config.namespaces) || !Array.isArray(config.cluster?.cidrs)) {
    throw new CommandError(`${join(dir, "config.json")}: not the normalised config netseg plan writes`);
  }
  const resources = readJson<RecordedResource[]>("resources.json");
  const outputs = existsSync(join(dir, "outputs.json"))
    ? readJson<Record<string, unknown>>("outputs.json")
    : {};
  const manifests: Manifest[] = [];
  const kubernetes = join(dir, "kubernetes");
  const yamlFiles = existsSync(kubernetes)
    ? readdirSync(kubernetes)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
    : [];
  for (const file of yamlFiles) {
    const path = join(kubernetes, file);
    for (const document of parseAllDocuments(readFileSync(path, "utf8"))) {
      if (document.errors.length > 0) {
        throw new CommandError(`${path}: not valid YAML: ${document.errors[0]!.message}`);
      }
      const object = document.toJS() as Manifest | null;
      if (object === null) continue;
      if (
        typeof object !== "object" ||
        typeof object.kind !== "string" ||
        typeof object.metadata !== "object"
      ) {
        throw new CommandError(`${path}: every document must be a Kubernetes object with kind and metadata`);
      }
      manifests.push(object);
    }
  }
  return { stack: stackOf(resources) ?? "", config, resources, manifests, outputs };
}

/** The stack a plan was made for, from its resources' URNs (`urn:pulumi:<stack>::<project>::...`). */
function stackOf(resources: readonly RecordedResource[]): string | undefined {
  return resources[0]?.urn.split("::")[0]?.split(":")[2];
}
