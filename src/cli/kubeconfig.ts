/**
 * The kubeconfig for commands that talk to a cluster (`agent`, `import`): `--kubeconfig`, `$KUBECONFIG`,
 * the in-cluster service account, or `~/.kube/config`, in that order; `--context` picks a context.
 */
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { UsageError } from '../errors.ts';
import type { CliIO } from './command.ts';

export function loadKubeConfig(
  file: string | undefined,
  env: CliIO['env'],
  context?: string,
): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const path = file ?? env.KUBECONFIG;
  try {
    if (path !== undefined && path !== '') kc.loadFromFile(path);
    else if (env.KUBERNETES_SERVICE_HOST !== undefined) kc.loadFromCluster();
    else if (env.HOME !== undefined) kc.loadFromFile(join(env.HOME, '.kube', 'config'));
    else throw new UsageError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // One line: YAML parsers put the offending excerpt on the lines after their message.
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new UsageError(`cannot read the kubeconfig ${path ?? '~/.kube/config'}: ${why}`, { cause: error });
  }
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context))
      throw new UsageError(`--context ${context}: no such context in the kubeconfig`);
    kc.setCurrentContext(context);
  }
  return kc;
}
