/**
 * Many small Workspace specs for the shard tests: a Phi-3 Workspace per name, one file each
 * (`<namespace>/<name>.yaml`), with a label that an edit changes. The layout of shards depends on the
 * names only; tests/fixtures/main-shards was rendered from these specs by the layout before sticky shards.
 */
import type { SourceFile } from '../../src/pipeline.ts';

export function shardSpec(namespace: string, name: string, version = 0): SourceFile {
  return {
    path: `${namespace}/${name}.yaml`,
    content: `apiVersion: kaito.sh/v1alpha1
kind: Workspace
metadata:
  name: ${name}
  namespace: ${namespace}
resource:
  instanceType: Standard_NC6s_v3
  labelSelector:
    matchLabels:
      apps: ${name}-v${version}
inference:
  preset:
    name: phi-3-mini-4k-instruct
`,
  };
}

/** `ws-000` … in `namespace`: `count` specs from number `from`. */
export function shardSpecs(namespace: string, count: number, from = 0): SourceFile[] {
  return Array.from({ length: count }, (_, i) =>
    shardSpec(namespace, `ws-${String(from + i).padStart(3, '0')}`),
  );
}
