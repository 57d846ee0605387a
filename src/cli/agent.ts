/**
 * `kaito-gitops agent`: the in-cluster agent. Flags and environment are parsed once here into an
 * AgentConfig; the kubeconfig comes from `--kubeconfig`, `$KUBECONFIG`, the in-cluster service account,
 * or `~/.kube/config`, in that order. Logs are JSON lines on stderr. Runs until SIGINT/SIGTERM, then
 * releases the leader Lease and exits 0.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { SOURCE_REPOSITORY_ANNOTATION } from '../api/index.ts';
import { UsageError } from '../errors.ts';
import {
  PROVISIONER_KINDS,
  loadContainerServiceClient,
  startAgent,
  type AgentConfig,
  type ProvisionerKind,
} from '../agent/index.ts';
import { jsonLogger, type Logger } from '../observe/index.ts';
import { EXIT, parseFlags, type CliIO, type Command } from './command.ts';
import { loadCatalog } from './catalog-input.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { parseListenAddress } from './listen-address.ts';

const usage = `usage: kaito-gitops agent --provisioner nodeclaim|aks|byo [flags]

  --provisioner KIND      nodeclaim (Karpenter NodeClaims, Kaito-compatible) or byo (your own GPU nodes)
  --presets DIR           catalog directory (default: the presets/ shipped with kaito-gitops)
  --metrics-addr ADDR     /healthz, /readyz, /metrics listen address (default :8081)
  --lease-namespace NS    namespace of the leader-election Lease (default: $POD_NAMESPACE or kaito-gitops)
  --lease-name NAME       name of the Lease (default kaito-gitops-agent)
  --resync SECONDS        reconcile every Workspace this often (default 300)
  --concurrency N         Workspaces reconciled at once (default 4)
  --kubeconfig FILE       kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --coexist               run beside Kaito's own controller: manage only Workspaces rendered by
                          kaito-gitops (label app.kubernetes.io/managed-by=kaito-gitops), with the finalizer
                          gitops.kaito.sh/finalizer; without it the agent refuses to start while Kaito runs
  --report github|gitlab  live status after merge: a commit status per Workspace on its source commit and
                          the status table in the pull request's comment (default: off); credentials as
                          for report plan (GITHUB_TOKEN, KAITO_GITOPS_GITHUB_*, KAITO_GITOPS_GITLAB_TOKEN*)
  --report-api-url URL    GitHub Enterprise / self-managed GitLab API root

aks (one AKS agent pool per Workspace through Azure Resource Manager; credentials from
DefaultAzureCredential, e.g. workload identity):
  --azure-subscription-id ID   (default: $AZURE_SUBSCRIPTION_ID)
  --azure-resource-group RG    the AKS cluster's resource group (default: $AZURE_RESOURCE_GROUP)
  --azure-cluster-name NAME    (default: $AZURE_CLUSTER_NAME)`;

/** The flags of `agent`; the Helm chart's Deployment passes a subset (a test parses them with this). */
export const agentFlags = {
  provisioner: { type: 'string' },
  presets: { type: 'string' },
  'metrics-addr': { type: 'string', default: ':8081' },
  'lease-namespace': { type: 'string' },
  'lease-name': { type: 'string', default: 'kaito-gitops-agent' },
  resync: { type: 'string', default: '300' },
  concurrency: { type: 'string', default: '4' },
  coexist: { type: 'boolean', default: false },
  kubeconfig: { type: 'string' },
  report: { type: 'string', default: '' },
  'report-api-url': { type: 'string', default: '' },
  'azure-subscription-id': { type: 'string' },
  'azure-resource-group': { type: 'string' },
  'azure-cluster-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`--${flag} must be a positive whole number, not "${value}"`);
  return n;
}

export function parseProvisioner(value: string | undefined): ProvisionerKind {
  if (value === undefined)
    throw new UsageError(`--provisioner is required: ${PROVISIONER_KINDS.join(' or ')}`);
  const kind = PROVISIONER_KINDS.find((k) => k === value);
  if (kind === undefined) {
    throw new UsageError(`--provisioner must be ${PROVISIONER_KINDS.join(', ')}, not "${value}"`);
  }
  return kind;
}

/** The AKS cluster whose agent pools the aks provisioner manages: flags, else the environment. */
export function azureSettings(
  values: {
    'azure-subscription-id'?: string;
    'azure-resource-group'?: string;
    'azure-cluster-name'?: string;
  },
  env: CliIO['env'],
): { subscriptionId: string; resourceGroup: string; clusterName: string } {
  const pick = (flag: keyof typeof values, variable: string): string => {
    const value = values[flag] ?? env[variable];
    if (value === undefined || value === '') {
      throw new UsageError(`--provisioner aks needs --${flag} (or ${variable})`);
    }
    return value;
  };
  return {
    subscriptionId: pick('azure-subscription-id', 'AZURE_SUBSCRIPTION_ID'),
    resourceGroup: pick('azure-resource-group', 'AZURE_RESOURCE_GROUP'),
    clusterName: pick('azure-cluster-name', 'AZURE_CLUSTER_NAME'),
  };
}

/** `--report` (empty: off) and its credentials, read once at start. */
export async function liveStatusSettings(
  provider: string,
  apiUrl: string,
  io: CliIO,
  logger: Logger,
): Promise<AgentConfig['liveStatus']> {
  const read = (path: string) => readFile(resolve(io.cwd, path), 'utf8');
  if (provider === '') return undefined;
  // The code host SDKs (Octokit, GitBeaker) are loaded only for an agent that reports.
  const { API_URL_ENV, reportHosts } = await import('./code-host.ts');
  const hosts = await reportHosts(
    provider,
    apiUrl,
    io.env,
    read,
    logger,
    (name) =>
      `that the credentials can see the repository in the Workspace's ${SOURCE_REPOSITORY_ANNOTATION} annotation (sync's --source), and that --report-api-url (else ${API_URL_ENV[name]}) is the API of its code host`,
  );
  return hosts === undefined ? undefined : { hostFor: hosts.hostFor };
}

/**
 * The namespace kaito-gitops installs into, for an agent started outside its chart (which always sets
 * POD_NAMESPACE). Loaded only then: the install code carries cdk8s-plus, which the agent does not need.
 */
async function installNamespace(): Promise<string> {
  return (await import('../install/index.ts')).INSTALL_NAMESPACE;
}

export const agent: Command = {
  name: 'agent',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, agentFlags);
    if (values.help === true) {
      io.stdout(usage + '\n');
      return EXIT.ok;
    }
    const provisioner = parseProvisioner(values.provisioner);
    const aks = provisioner === 'aks' ? azureSettings(values, io.env) : undefined;
    const metrics = parseListenAddress(values['metrics-addr'], '--metrics-addr');
    const resyncMs = positiveInt('resync', values.resync) * 1000;
    const concurrency = positiveInt('concurrency', values.concurrency);
    const catalog = await loadCatalog(values.presets, io);
    const kc = loadKubeConfig(values.kubeconfig, io.env);
    const identity = `${io.env.POD_NAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
    const log = jsonLogger((line) => io.stderr(line));
    const liveStatus = await liveStatusSettings(values.report, values['report-api-url'], io, log);
    const running = await startAgent(
      kc,
      {
        provisioner,
        ...(aks !== undefined
          ? { aks: { ...aks, client: await loadContainerServiceClient(aks.subscriptionId) } }
          : {}),
        catalog,
        metrics,
        lease: {
          namespace: values['lease-namespace'] ?? io.env.POD_NAMESPACE ?? (await installNamespace()),
          name: values['lease-name'],
          identity,
        },
        resyncMs,
        concurrency,
        coexist: values.coexist,
        ...(liveStatus !== undefined ? { liveStatus } : {}),
      },
      log,
    );
    log.log('info', 'agent started', {
      provisioner,
      identity,
      metricsPort: running.healthPort,
      liveStatus: values.report || 'off',
    });
    await io.stopped;
    await running.stop();
    log.log('info', 'agent stopped', { identity });
    return EXIT.ok;
  },
};
