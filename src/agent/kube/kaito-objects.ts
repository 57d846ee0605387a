/**
 * Reads what tells a running Kaito workspace controller apart (see kaito-detection.ts): Kaito's webhook
 * configuration and the Workspace CRD by name, and every Deployment of the cluster (paged), once at start.
 * A read the agent's RBAC does not allow is reported, not fatal: the chart grants all three.
 */
import * as k8s from '@kubernetes/client-node';
import { KAITO_WEBHOOK, type KaitoObservation } from '../kaito-detection.ts';
import { apiFailure, statusCode } from './api-errors.ts';

/** The Workspace CRD's name (Kaito's and ours). */
export const WORKSPACE_CRD_NAME = 'workspaces.kaito.sh';
const PAGE = 500;

export interface KaitoObjects extends KaitoObservation {
  /** Reads that were forbidden (403), e.g. `ValidatingWebhookConfiguration validation.workspace.kaito.sh`. */
  forbidden: string[];
}

export async function readKaitoObjects(kc: k8s.KubeConfig): Promise<KaitoObjects> {
  const forbidden: string[] = [];
  async function optional<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      const code = statusCode(error);
      if (code === 404) return undefined;
      if (code === 403) {
        forbidden.push(what);
        return undefined;
      }
      throw apiFailure(`reading ${what}`, error);
    }
  }
  const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const webhook = await optional(`ValidatingWebhookConfiguration ${KAITO_WEBHOOK}`, () =>
    admission.readValidatingWebhookConfiguration({ name: KAITO_WEBHOOK }),
  );
  const crd = await optional(`CustomResourceDefinition ${WORKSPACE_CRD_NAME}`, () =>
    extensions.readCustomResourceDefinition({ name: WORKSPACE_CRD_NAME }),
  );
  const deployments: k8s.V1Deployment[] = [];
  const listed = await optional('Deployments', async () => {
    let next: string | undefined;
    do {
      const page = await apps.listDeploymentForAllNamespaces({ limit: PAGE, _continue: next });
      deployments.push(...page.items);
      next = page.metadata?._continue;
    } while (next !== undefined && next !== '');
    return true;
  });
  return {
    ...(webhook !== undefined ? { webhook } : {}),
    ...(crd !== undefined ? { crd } : {}),
    deployments: listed === undefined ? [] : deployments,
    forbidden,
  };
}
