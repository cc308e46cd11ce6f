/**
 * The whole stack: read the config, plan it with the model, declare the components, return the outputs.
 * `index.ts` runs it for `pulumi up`; `netseg plan` and the tests run it under mocks.
 */
import { loadConfig } from "./config";

export function segmentation() {
  const config = loadConfig();
  return {
    phase: config.phase,
    namespaceCount: config.namespaces.length,
  };
}
