/**
 * The plain route: `kubectl apply -k charts/kaito-gitops` installs the CRD and the agent with the default
 * values. `kubectl kustomize` must build it offline to exactly those objects.
 */
import { releaseIdentity } from '../../../src/install/agent-manifests.ts';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { workspaceCrd } from '../../../src/api/index.ts';
import {
  CHART_DIR,
  PLAIN_RELEASE,
  agentManifests,
  defaultValues,
  namespaceManifest,
} from '../../../src/install/index.ts';
import { kustomizeBuild, requireKubectl } from '../../support/kustomize.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let kubectl: string;

beforeAll(async () => {
  kubectl = await requireKubectl();
});

describe('kubectl apply -k charts/kaito-gitops', () => {
  it('builds the CRD, the namespace and the agent with the default values', async () => {
    const pkg = parse(await readFile(`${root}package.json`, 'utf8')) as { version: string };
    const built = parseAllDocuments(await kustomizeBuild(kubectl, `${root}${CHART_DIR}`)).map(
      (doc) => doc.toJS() as { kind: string; metadata: { name: string } },
    );
    const identity = releaseIdentity(PLAIN_RELEASE, pkg.version);
    const expected = [
      workspaceCrd(),
      namespaceManifest(identity),
      ...agentManifests(defaultValues(pkg.version), identity),
    ] as { kind: string; metadata: { name: string } }[];
    const key = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;
    expect(built.map(key).sort()).toEqual(expected.map(key).sort());
    for (const object of expected) expect(built.find((o) => key(o) === key(object))).toEqual(object);
  });
});
