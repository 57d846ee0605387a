/**
 * Hand-built WorkspacePlans for synthesis and render tests (and the benchmark), shaped like what
 * src/api and src/catalog produce, so that synth and render can be tested without them.
 */
import type {
  AdapterSpec,
  ApiVersion,
  DataDestination,
  DataSource,
  JsonObject,
  LabelSelector,
  Runtime,
  SourceObject,
  Workspace,
  WorkspaceDocument,
} from '../../src/api/types.ts';
import type {
  PresetInferencePlan,
  TemplatePlan,
  TuningPlan,
  WorkspacePlan,
} from '../../src/catalog/types.ts';
import { RESULTS_DIR } from '../../src/catalog/pod-contract.ts';
import { defaultTrainingConfigName } from '../../src/catalog/training-config.ts';

export interface WorkspaceOptions {
  name?: string;
  namespace?: string;
  apiVersion?: ApiVersion;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  labelSelector?: LabelSelector;
  instanceType?: string;
  count?: number;
  file?: string;
}

function document(options: WorkspaceOptions, body: Partial<WorkspaceDocument>): WorkspaceDocument {
  const metadata: WorkspaceDocument['metadata'] = { name: options.name ?? 'phi-3' };
  if (options.namespace !== undefined) metadata.namespace = options.namespace;
  if (options.labels !== undefined) metadata.labels = options.labels;
  if (options.annotations !== undefined) metadata.annotations = options.annotations;
  const resource: WorkspaceDocument['resource'] = {
    labelSelector: options.labelSelector ?? { matchLabels: { apps: options.name ?? 'phi-3' } },
  };
  if (options.instanceType !== undefined) resource.instanceType = options.instanceType;
  if (options.count !== undefined) resource.count = options.count;
  return {
    apiVersion: options.apiVersion ?? 'kaito.sh/v1beta1',
    kind: 'Workspace',
    metadata,
    resource,
    ...body,
  };
}

function normalize(doc: WorkspaceDocument, runtime: Runtime, file: string): Workspace {
  const workspace: Workspace = {
    apiVersion: doc.apiVersion,
    name: doc.metadata.name,
    namespace: doc.metadata.namespace ?? 'default',
    labels: doc.metadata.labels ?? {},
    annotations: doc.metadata.annotations ?? {},
    resource: { ...doc.resource, count: doc.resource.count ?? 1 },
    runtime,
    source: { file, index: 0 },
    document: doc,
  };
  if (doc.inference !== undefined) workspace.inference = doc.inference;
  if (doc.tuning !== undefined) workspace.tuning = doc.tuning;
  return workspace;
}

/** Hand-built, so the branch's required fields are the caller's word (the cast says so). */
function basePlan<P extends WorkspacePlan>(workspace: Workspace, rest: Partial<P> & Pick<P, 'workload'>): P {
  const nodes = rest.nodes ?? 1;
  const runtime = rest.runtime ?? workspace.runtime;
  const { name, namespace } = workspace;
  // The same ports, health path and leader address as src/catalog's plan() gives for these choices.
  const servicePorts = [{ name: 'http', port: 80, targetPort: 5000 }];
  if (runtime === 'transformers' && rest.workload === 'inference-preset') {
    servicePorts.push({ name: 'torch', port: 29500, targetPort: 29500 });
  }
  return {
    env: {},
    weights: { kind: 'image' },
    containerPort: 5000,
    servicePorts: rest.workload === 'tuning' ? [] : servicePorts,
    ...(rest.workload === 'inference-preset'
      ? { healthPath: runtime === 'vllm' ? '/health' : '/healthz' }
      : {}),
    ...((workspace.inference?.preset?.presetOptions?.modelAccessSecret ??
    workspace.tuning?.preset.presetOptions?.modelAccessSecret)
      ? {
          huggingFaceTokenSecret:
            workspace.inference?.preset?.presetOptions?.modelAccessSecret ??
            workspace.tuning?.preset.presetOptions?.modelAccessSecret,
        }
      : {}),
    ...(nodes > 1 ? { leaderAddress: `${name}-0.${name}-headless.${namespace}.svc.cluster.local` } : {}),
    workspace,
    instanceType: workspace.resource.instanceType,
    skuSource: 'spec',
    cloud: 'azure',
    pinToWorkspaceNodes: rest.workload !== 'tuning',
    cudaToolkit: false,
    nodes,
    gpusPerNode: 1,
    runtime: workspace.runtime,
    parallelism: { tensor: 1, pipeline: nodes, data: 1 },
    multiNode: nodes > 1,
    image: 'mcr.microsoft.com/aks/kaito/kaito-base:0.0.5',
    command: ['/bin/sh', '-c', 'python3 /workspace/vllm/inference_api.py --served-model-name=phi-3'],
    diskGiB: 100,
    readinessTimeoutSeconds: 1800,
    notes: [],
    ...rest,
  } as P;
}

export interface PresetOptions extends WorkspaceOptions {
  preset?: string;
  runtime?: Runtime;
  nodes?: number;
  gpusPerNode?: number;
  config?: string;
  adapters?: AdapterSpec[];
  modelAccessSecret?: string;
  imagePullSecrets?: string[];
}

export function presetPlan(options: PresetOptions = {}): PresetInferencePlan {
  const presetOptions: NonNullable<NonNullable<WorkspaceDocument['inference']>['preset']>['presetOptions'] =
    {};
  if (options.modelAccessSecret !== undefined) presetOptions.modelAccessSecret = options.modelAccessSecret;
  if (options.imagePullSecrets !== undefined) presetOptions.imagePullSecrets = options.imagePullSecrets;
  const inference: NonNullable<WorkspaceDocument['inference']> = {
    preset: {
      name: options.preset ?? 'phi-3-mini-4k-instruct',
      ...(Object.keys(presetOptions).length > 0 ? { presetOptions } : {}),
    },
  };
  if (options.config !== undefined) inference.config = options.config;
  if (options.adapters !== undefined) inference.adapters = options.adapters;
  const doc = document({ instanceType: 'Standard_NC24ads_A100_v4', ...options }, { inference });
  const runtime = options.runtime ?? (doc.apiVersion === 'kaito.sh/v1alpha1' ? 'transformers' : 'vllm');
  const workspace = normalize(doc, runtime, options.file ?? `workspaces/${doc.metadata.name}.yaml`);
  const command =
    runtime === 'vllm'
      ? [
          '/bin/sh',
          '-c',
          `python3 /workspace/vllm/inference_api.py --served-model-name=${inference.preset?.name}`,
        ]
      : ['/bin/sh', '-c', 'accelerate launch /workspace/tfs/inference_api.py --torch_dtype=bfloat16'];
  return basePlan<PresetInferencePlan>(workspace, {
    workload: 'inference-preset',
    nodes: options.nodes ?? 1,
    gpusPerNode: options.gpusPerNode ?? 1,
    runtime,
    command,
  });
}

export interface TemplateOptions extends WorkspaceOptions {
  template?: JsonObject;
  nodes?: number;
}

export function defaultTemplate(): JsonObject {
  return {
    metadata: { labels: { app: 'custom' } },
    spec: {
      containers: [
        {
          name: 'server',
          image: 'ghcr.io/example/custom-llm:1.2.3',
          ports: [{ containerPort: 5000 }],
          resources: { limits: { 'nvidia.com/gpu': 2 }, requests: { cpu: '8' } },
        },
      ],
    },
  };
}

export function templatePlan(options: TemplateOptions = {}): TemplatePlan {
  const doc = document(options, { inference: { template: options.template ?? defaultTemplate() } });
  const workspace = normalize(doc, 'vllm', options.file ?? `workspaces/${doc.metadata.name}.yaml`);
  return basePlan<TemplatePlan>(workspace, {
    workload: 'inference-template',
    nodes: options.nodes ?? 1,
    image: '',
    command: [],
  });
}

export interface TuningOptions extends WorkspaceOptions {
  input?: DataSource;
  output?: DataDestination;
  config?: string;
  modelAccessSecret?: string;
  gpusPerNode?: number;
  /** Where the trainer writes (the tuning ConfigMap's output_dir). @default "/mnt/results" */
  resultsDir?: string;
}

export function tuningPlan(options: TuningOptions = {}): TuningPlan {
  const tuning: NonNullable<WorkspaceDocument['tuning']> = {
    preset: {
      name: 'phi-3-mini-128k-instruct',
      ...(options.modelAccessSecret !== undefined
        ? { presetOptions: { modelAccessSecret: options.modelAccessSecret } }
        : {}),
    },
    method: 'qlora',
    input: options.input ?? { urls: ['https://example.com/data/train.parquet?download=true'] },
    output: options.output ?? {
      image: 'myregistry.azurecr.io/adapters/phi-3:0.0.1',
      imagePushSecret: 'push',
    },
  };
  if (options.config !== undefined) tuning.config = options.config;
  const doc = document({ name: 'tuning-phi-3', instanceType: 'Standard_NC6s_v3', ...options }, { tuning });
  const workspace = normalize(doc, 'transformers', options.file ?? `workspaces/${doc.metadata.name}.yaml`);
  const resultsDir = options.resultsDir ?? RESULTS_DIR;
  return basePlan<TuningPlan>(workspace, {
    workload: 'tuning',
    gpusPerNode: options.gpusPerNode ?? 1,
    resultsDir,
    // Without tuning.config, Kaito's defaults as the catalog gives them (trimmed to what synth reads).
    trainingConfig:
      options.config !== undefined
        ? { configMap: options.config }
        : {
            configMap: defaultTrainingConfigName(workspace.name, 'qlora'),
            defaults: {
              apiVersion: workspace.apiVersion,
              method: 'qlora',
              kaitoConfigMap: 'qlora-params-template',
              trainingConfig: `training_config:\n  QuantizationConfig:\n    load_in_4bit: true\n  TrainingArguments:\n    output_dir: "${resultsDir}"\n`,
              outputDir: resultsDir,
            },
          },
    command: ['/bin/sh', '-c', 'accelerate launch --num_processes=1 /workspace/tfs/fine_tuning.py'],
  });
}

export function configMap(name: string, namespace?: string, data: Record<string, string> = {}): SourceObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: namespace === undefined ? { name } : { name, namespace },
    data: { 'inference_config.yaml': 'vllm:\n  max-model-len: 4096\n', ...data },
  };
}

export function pvc(name: string, namespace?: string): SourceObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '100Gi' } },
      storageClassName: 'azurefile-csi',
    },
  };
}

/** `n` plans of every kind in rotation (preset, preset with adapters, multi-node, template, tuning). */
export function mixedPlans(n: number): WorkspacePlan[] {
  const plans: WorkspacePlan[] = [];
  for (let i = 0; i < n; i++) {
    const name = `ws-${String(i).padStart(5, '0')}`;
    const namespace = `team-${i % 10}`;
    switch (i % 5) {
      case 0:
        plans.push(presetPlan({ name, namespace, config: `${name}-config` }));
        break;
      case 1:
        plans.push(
          presetPlan({
            name,
            namespace,
            adapters: [
              {
                source: { name: 'adapter-a', image: 'myregistry.azurecr.io/adapter-a:0.0.1' },
                strength: '0.5',
              },
            ],
          }),
        );
        break;
      case 2:
        plans.push(
          presetPlan({ name, namespace, nodes: 2, gpusPerNode: 8, preset: 'llama-3.3-70b-instruct' }),
        );
        break;
      case 3:
        plans.push(templatePlan({ name, namespace }));
        break;
      default:
        plans.push(tuningPlan({ name, namespace }));
    }
  }
  return plans;
}

/** The ConfigMaps that {@link mixedPlans} reference. */
export function mixedSourceObjects(n: number): SourceObject[] {
  const objects: SourceObject[] = [];
  for (let i = 0; i < n; i += 5) {
    const name = `ws-${String(i).padStart(5, '0')}`;
    objects.push(configMap(`${name}-config`, `team-${i % 10}`));
  }
  return objects;
}
