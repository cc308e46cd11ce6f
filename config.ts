/**
 * Reads the stack's config from the Pulumi runtime and parses it with the model. `requireObject` would only
 * cast; every value goes through the model's schema and checks, and any problem stops the program before
 * a single resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, type SegmentationConfig } from "./model/config";
import { rawConfigOf } from "./model/stackFile";

export function loadConfig(): SegmentationConfig {
  return parseConfig(rawConfigOf(pulumi.runtime.allConfig()));
}
