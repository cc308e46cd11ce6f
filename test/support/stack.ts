/**
 * Test helpers over the real stack: the dev config as Pulumi would pass it, edited copies of it, and runs
 * of the program under recording mocks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { type OfflineOptions, type OfflineRun, runOffline } from "../../cli/offline";
import { ConfigError } from "../../model/issues";
import { PROJECT, readStackFile } from "../../model/stackFile";
import { segmentation } from "../../program";

export const ROOT = join(__dirname, "..", "..");

/** The dev stack's config, exactly as `pulumi up` would hand it to the program. */
export function devConfig(): Record<string, string> {
  return readStackFile(join(ROOT, "Pulumi.dev.yaml")).config;
}

type Values = Record<string, any>;

/**
 * A copy of the dev config with `edit` applied to its decoded values (keys without the `segmentation:`
 * prefix; `aws:region` under `region`). Deleting a key removes it from the config.
 */
export function editedConfig(edit: (values: Values) => void): Record<string, string> {
  const values: Values = {};
  for (const [key, text] of Object.entries(devConfig())) {
    const short = key === "aws:region" ? "region" : key.slice(PROJECT.length + 1);
    values[short] = text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text;
  }
  edit(values);
  const config: Record<string, string> = {};
  for (const [short, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const key = short === "region" ? "aws:region" : `${PROJECT}:${short}`;
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** Runs the whole program under mocks with the given config. */
export function runStack(
  config: Record<string, string> = devConfig(),
  options: Partial<OfflineOptions> = {},
): Promise<OfflineRun<Awaited<ReturnType<typeof segmentation>>>> {
  return runOffline(segmentation, { project: PROJECT, stack: "dev", config, ...options });
}

let devRunOnce: ReturnType<typeof runStack> | undefined;

/**
 * The dev stack run once under mocks and shared by every test that only reads it: a full run costs about
 * a second, and most test files look at the same one.
 */
export function devRun(): ReturnType<typeof runStack> {
  devRunOnce ??= runStack();
  return devRunOnce;
}

/** Waits for an Output's value inside an async test. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Asserts the program stops on a config problem matching `message` before it registers any resource. */
export async function assertRejectedBeforeAnyResource(config: Record<string, string>, message: RegExp) {
  const registered: string[] = [];
  await assert.rejects(
    runStack(config, {
      state: ({ type }) => {
        registered.push(type);
        return {};
      },
    }),
    (error: unknown) => error instanceof ConfigError && message.test(error.message),
  );
  assert.deepEqual(registered, []);
}

/**
 * Dev without the VPC CNI add-on in the stack. The cluster tier needs to know the add-on's version, so such
 * a stack runs in NetworkPolicy mode.
 */
export function withoutCni(values: Values): void {
  delete values.cluster.vpcCni;
  values.policyMode = "networkPolicy";
}

/**
 * The dev stack as it was before its stores named clients: every store open to the pod ranges. Tests of the
 * open phase, and of states deployed before, start from it.
 */
export function openStoresConfig(edit: (values: Values) => void = () => {}): Record<string, string> {
  return editedConfig((values) => {
    for (const store of values.dataStores) {
      delete store.clients;
      delete store.phase;
      delete store.subnets;
    }
    delete values.storeAccess;
    edit(values);
  });
}

let openStoresRunOnce: ReturnType<typeof runStack> | undefined;

/** `openStoresConfig()` run once under mocks, shared like `devRun()`. */
export function openStoresRun(): ReturnType<typeof runStack> {
  openStoresRunOnce ??= runStack(openStoresConfig());
  return openStoresRunOnce;
}
