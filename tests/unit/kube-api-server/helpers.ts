/** Shared by the API test server's tests: unwraps client-node's ApiException into the Status it carried. */
import * as k8s from '@kubernetes/client-node';

export interface Failure {
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { reason: string; field?: string; message: string }[] };
}

export async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof k8s.ApiException) {
      const body = JSON.parse(err.body as string) as Failure & { kind: string };
      if (body.kind !== 'Status')
        throw new Error(`expected a Status body, got ${String(err.body)}`, { cause: err });
      return { ...body, code: err.code };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** Waits until `check` passes (watch and informer callbacks arrive asynchronously). */
export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
export const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);
export const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
export const apply = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

export function workspace(
  name: string,
  version = 'v1beta1',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: `kaito.sh/${version}`,
    kind: 'Workspace',
    metadata: { name, namespace: 'default' },
    resource: { instanceType: 'Standard_NC24ads_A100_v4', labelSelector: { matchLabels: { apps: name } } },
    inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
    ...extra,
  };
}
