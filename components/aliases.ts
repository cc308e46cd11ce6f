import type * as pulumi from "@pulumi/pulumi";
import type { Renamed } from "../model/aws";

/**
 * The aliases of a renamed child: its earlier names under the same parent, prefixed like its name. Pulumi
 * then treats a resource in the state under an old name as this one, and updates it in place.
 * https://www.pulumi.com/docs/iac/concepts/options/aliases/
 */
export function aliasesOf(parentName: string, spec: Renamed): pulumi.Alias[] {
  return spec.previousResourceNames.map((previous) => ({ name: `${parentName}-${previous}` }));
}
