/** Reading a cluster for Kaito's controller through client-node, against the API test server. */
import { afterEach, expect, it } from 'vitest';
import { detectKaito } from '../../../src/agent/kaito-detection.ts';
import { readKaitoObjects } from '../../../src/agent/kube/kaito-objects.ts';
import { kaitoControllerDeployment, kaitoHelmOwnedCrd, kaitoWebhook } from '../../support/kaito-fixtures.ts';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';

let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it('finds Kaito v0.12 installed by its chart', async () => {
  server = await startKubeApiServer({
    crds: [kaitoHelmOwnedCrd()],
    namespaces: ['default', 'kaito-workspace'],
  });
  server.seed(kaitoWebhook());
  server.seed(kaitoControllerDeployment());
  const detection = detectKaito(await readKaitoObjects(server.kubeConfig()));
  expect(detection.running).toEqual([
    'Deployment kaito-workspace/kaito-workspace',
    'webhook validation.workspace.kaito.sh',
  ]);
  expect(detection.hazards).toHaveLength(1);
});

it('finds nothing in a cluster without Kaito', async () => {
  server = await startKubeApiServer();
  const objects = await readKaitoObjects(server.kubeConfig());
  expect(objects).toEqual({ deployments: [], forbidden: [] });
});
