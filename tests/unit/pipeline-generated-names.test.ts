/**
 * A source ConfigMap (or PVC) named like an object kaito-gitops generates for a Workspace (the default
 * tuning parameters `<name>-<method>-params`): the tree must never hold the same object twice (kustomize
 * refuses the build and Flux stops applying everything). The Workspace that claims the name later is
 * refused, naming both files; one whose output is already in the tree claims first, so a running
 * workspace is never the one taken down.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { hydrate, type SourceFile } from '../../src/pipeline.ts';
import type { Tree } from '../../src/render/index.ts';

const NAME = 'tune-qlora-params';
const CONFIG_MAP: SourceFile = {
  path: 'cm.yaml',
  content: `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${NAME}
data:
  inference_config.yaml: |
    vllm:
      max-model-len: 1024
`,
};
const INFER: SourceFile = {
  path: 'infer.yaml',
  content: `apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: infer
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: infer
inference:
  preset:
    name: phi-3-mini-4k-instruct
  config: ${NAME}
`,
};
const TUNE: SourceFile = {
  path: 'tune.yaml',
  content: `apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: tune
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: tune
tuning:
  preset:
    name: phi-3-mini-128k-instruct
  method: qlora
  input:
    urls:
      - https://example.com/data.parquet
  output:
    image: registry.example.com/adapters/tune:1
    imagePushSecret: registry-push
`,
};

let catalog: Catalog;
beforeAll(async () => {
  catalog = await readCatalog();
});

/** Files of the tree that hold ConfigMap default/NAME. */
const copies = (tree: Tree) =>
  [...tree.keys()].filter((path) => path.endsWith(`/configmap-${NAME}.yaml`)).sort();
const filesOf = (tree: Tree, workspace: string) =>
  [...tree].filter(([path]) => path.startsWith(`workspaces/default/${workspace}/`));
const statusOf = (result: ReturnType<typeof hydrate>) =>
  Object.fromEntries(result.workspaces.map((w) => [w.name, w.status]));

describe('a source object named like a generated one', () => {
  it('both new: the tree holds the object once, and the later Workspace is refused naming both files', () => {
    const result = hydrate([CONFIG_MAP, INFER, TUNE], { catalog });
    expect(copies(result.tree)).toEqual([`workspaces/default/infer/configmap-${NAME}.yaml`]);
    expect(statusOf(result)).toEqual({ infer: 'rendered', tune: 'refused' });
    expect(result.errors.map((e) => e.message)).toEqual([
      `tune.yaml:4:3: Workspace default/tune: metadata.name: generates ConfigMap "default/${NAME}" (its default tuning parameters), which is the ConfigMap of cm.yaml that Workspace "default/infer" (infer.yaml) references; rename that ConfigMap, or give this Workspace a tuning.config`,
    ]);
  });

  it('a new tuning Workspace never takes the name from a running one that references the ConfigMap', () => {
    const before = hydrate([CONFIG_MAP, INFER], { catalog });
    expect(before.errors).toEqual([]);
    const result = hydrate([CONFIG_MAP, INFER, TUNE], { catalog, previous: before.tree });
    expect(statusOf(result)).toEqual({ infer: 'unchanged', tune: 'refused' });
    expect(filesOf(result.tree, 'infer')).toEqual(filesOf(before.tree, 'infer'));
    expect(copies(result.tree)).toEqual([`workspaces/default/infer/configmap-${NAME}.yaml`]);
  });

  it('a new Workspace referencing the ConfigMap never takes the name from a running tuning Workspace', () => {
    const before = hydrate([TUNE], { catalog });
    expect(before.errors).toEqual([]);
    const result = hydrate([CONFIG_MAP, INFER, TUNE], { catalog, previous: before.tree });
    expect(statusOf(result)).toEqual({ infer: 'refused', tune: 'unchanged' });
    expect(filesOf(result.tree, 'tune')).toEqual(filesOf(before.tree, 'tune'));
    expect(copies(result.tree)).toEqual([`workspaces/default/tune/configmap-${NAME}.yaml`]);
    expect(result.errors.map((e) => e.message)).toEqual([
      `infer.yaml:13:3: Workspace default/infer: inference.config: references ConfigMap "default/${NAME}" of cm.yaml, which kaito-gitops generates for Workspace "default/tune" (tune.yaml): its default tuning parameters; rename the ConfigMap and this reference`,
    ]);
  });

  it('a Workspace reading, through a volume, the ConfigMap it generates itself is refused', () => {
    const volume = TUNE.content.replace(
      '    urls:\n      - https://example.com/data.parquet\n',
      `    volumeSource:\n      configMap:\n        name: ${NAME}\n`,
    );
    const result = hydrate([CONFIG_MAP, { path: 'tune.yaml', content: volume }], { catalog });
    expect(copies(result.tree)).toEqual([]);
    expect(result.errors.map((e) => e.message).join('\n')).toContain(
      `references ConfigMap "default/${NAME}" of cm.yaml, which kaito-gitops generates for this Workspace itself`,
    );
  });
});
