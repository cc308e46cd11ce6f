/**
 * `segmentation:mesh`: whether the Linkerd authorization layer is on, stack-wide and namespace by namespace.
 * A namespace's mesh phase is one of
 *
 *   off        not meshed: no proxy injection, no Linkerd objects; only the NetworkPolicies decide
 *   migration  meshed; Servers and the default inbound policy are `audit`, so nothing is refused yet, and
 *              what the strict phase would refuse shows up in the proxies' logs and metrics
 *   strict     meshed; Servers and the default inbound policy are `deny`: only what an
 *              AuthorizationPolicy admits gets in
 *
 * The shape is checked here; references to namespaces are checked against the rest of the config in
 * `meshChecks`.
 */
import { z } from "zod";
import { namespaceNameProblem } from "../../core/labels";
import { CONTROLLERS } from "../controllers";
import type { ConfigIssue } from "../issues";

export const MESH_PHASES = ["off", "migration", "strict"] as const;
export type MeshPhase = (typeof MESH_PHASES)[number];

const meshPhase = z.enum(MESH_PHASES);

const dnsLabel = z.string().superRefine((value, ctx) => {
  const problem = namespaceNameProblem(value);
  if (problem)
    ctx.addIssue({ code: "custom", message: problem, input: value, params: { fix: "use a DNS-1123 label" } });
});

export const meshSchema = z.strictObject({
  /** The mesh phase of every managed namespace without an override. */
  phase: meshPhase.default("off"),
  /** Per-namespace overrides, for a rollout namespace by namespace. */
  namespaces: z.record(z.string(), meshPhase).default({}),
  /** Where Linkerd's control plane runs; the shared authentications of the areas live there. */
  controlPlaneNamespace: dnsLabel.default("linkerd"),
  /**
   * Names of the container ports the services serve on. Each area namespace gets a Server per name, so the
   * area rules apply to those ports; a port without a Server falls back to the default inbound policy.
   */
  servedPorts: z
    .array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/))
    .min(1)
    .default(["http"]),
  /** Service account Prometheus runs as, in the monitoring namespace: its mTLS identity. */
  monitoringServiceAccount: dnsLabel.default("prometheus"),
  /** Service account Vault runs as, in the vault namespace. */
  vaultServiceAccount: dnsLabel.default("vault"),
});

export type RawMeshSection = z.output<typeof meshSchema>;

export interface MeshConfig {
  /** The stack-wide phase (namespaces may override it). */
  phase: MeshPhase;
  /** The phase in effect for every managed namespace, by name; absent means off. */
  namespaces: Readonly<Record<string, MeshPhase>>;
  controlPlaneNamespace: string;
  servedPorts: string[];
  monitoringServiceAccount: string;
  vaultServiceAccount: string;
}

/** The mesh phase of every managed namespace, from the stack-wide phase and the overrides. */
export function normaliseMesh(section: RawMeshSection, managedNamespaces: readonly string[]): MeshConfig {
  const namespaces: Record<string, MeshPhase> = {};
  for (const name of [...managedNamespaces].sort()) {
    const phase = section.namespaces[name] ?? section.phase;
    if (phase !== "off") namespaces[name] = phase;
  }
  return {
    phase: section.phase,
    namespaces,
    controlPlaneNamespace: section.controlPlaneNamespace,
    servedPorts: [...new Set(section.servedPorts)].sort(),
    monitoringServiceAccount: section.monitoringServiceAccount,
    vaultServiceAccount: section.vaultServiceAccount,
  };
}

/** Overrides must name a namespace the stack manages: any other name would silently change nothing. */
export function meshNamespaceIssues(
  section: RawMeshSection,
  managedNamespaces: readonly string[],
): ConfigIssue[] {
  const known = new Set(managedNamespaces);
  return Object.keys(section.namespaces)
    .sort()
    .filter((name) => !known.has(name))
    .map((name) => ({
      path: `segmentation:mesh.namespaces.${name}`,
      value: section.namespaces[name],
      problem: `names ${JSON.stringify(name)}, which is not a namespace the stack manages`,
      fix: "use a key of segmentation:namespaces, a tool's namespace or an ingress controller's namespace (ingress-<area>)",
    }));
}

/** Keys of `segmentation:namespaces` that are not retired: the namespaces in an area. */
export function activeNamespaceNames(namespaces: Readonly<Record<string, { retired: boolean }>>): string[] {
  return Object.entries(namespaces)
    .filter(([, ns]) => !ns.retired)
    .map(([name]) => name);
}

/** Every namespace the stack manages, by name: the area namespaces, the tools' and the controllers'. */
export function managedNamespaceNames(
  areaNamespaces: readonly string[],
  tools: { monitoring: { namespace: string }; vault: { namespace: string } },
): string[] {
  return [
    ...new Set([
      ...areaNamespaces,
      tools.monitoring.namespace,
      tools.vault.namespace,
      ...CONTROLLERS.map((controller) => controller.namespace),
    ]),
  ].sort();
}
