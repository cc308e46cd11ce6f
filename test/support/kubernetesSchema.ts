/**
 * Checks rendered objects against the Kubernetes API schema, with the maintained `kubernetes-models`
 * package (generated from the API's OpenAPI definitions). An object the API server would refuse fails
 * here, not halfway through `pulumi up`.
 */

interface Validatable {
  validate(): void;
}

type ModelClass = new (data: unknown) => Validatable;

/** The schema problems of one object, or an empty list when the API server would accept it. */
export async function kubernetesSchemaProblems(object: {
  apiVersion?: string;
  kind?: string;
  [key: string]: unknown;
}): Promise<string[]> {
  const { apiVersion, kind } = object;
  if (!apiVersion || !kind) return ["has no apiVersion or kind"];
  let models: Record<string, unknown>;
  try {
    // The package is ESM-only; a dynamic import loads it from this CommonJS project.
    models = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
  } catch {
    return [`apiVersion ${apiVersion} is not a known Kubernetes API`];
  }
  const Model = models[kind] as ModelClass | undefined;
  if (!Model) return [`kind ${kind} is not part of ${apiVersion}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
