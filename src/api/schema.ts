/**
 * The Workspace schema: the single description from which runtime validation, the CRD
 * (`charts/kaito-gitops/crds/kaito.sh_workspaces.yaml`) and the editor JSON Schema
 * (`gitops/schema/workspace.schema.json`) are derived. Field texts follow Kaito's API types
 * (`api/v1beta1/workspace_types.go`); `satisfies` ties every object's fields to `types.ts`, so the
 * TypeScript model and the schema cannot drift apart.
 */
import type {
  AdapterSpec,
  DataDestination,
  DataSource,
  InferenceSpec,
  LabelSelector,
  LabelSelectorRequirement,
  ObjectMeta,
  PresetOptions,
  PresetSpec,
  ResourceSpec,
  TuningSpec,
  WorkspaceDocument,
} from './types.ts';
import { API_VERSIONS } from './constants.ts';
import type { ArrayNode, MapNode, ObjectNode, SchemaNode, StringNode } from './schema-node.ts';

const string = (description?: string): StringNode =>
  description === undefined ? { kind: 'string' } : { kind: 'string', description };

const strings = (description: string): ArrayNode => ({
  kind: 'array',
  description,
  items: { kind: 'string' },
});

const stringMap = (description: string): MapNode => ({
  kind: 'map',
  description,
  values: { kind: 'string' },
});

const labelSelectorRequirement: ObjectNode = {
  kind: 'object',
  description:
    'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
  properties: {
    key: string('key is the label key that the selector applies to.'),
    operator: {
      kind: 'string',
      description: "operator represents a key's relationship to a set of values.",
      enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'],
    },
    values: { ...strings('values is an array of string values.'), listType: 'atomic' },
  } satisfies Record<keyof LabelSelectorRequirement, SchemaNode>,
  required: ['key', 'operator'],
};

const labelSelector: ObjectNode = {
  kind: 'object',
  description:
    'LabelSelector specifies the required labels for the GPU nodes. Only matchLabels and In expressions can be used: the workload gets them as node affinity.',
  atomic: true,
  properties: {
    matchExpressions: {
      kind: 'array',
      description: 'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
      items: labelSelectorRequirement,
      listType: 'atomic',
    },
    matchLabels: stringMap('matchLabels is a map of {key,value} pairs. The requirements are ANDed.'),
  } satisfies Record<keyof LabelSelector, SchemaNode>,
};

export const resourceSchema: ObjectNode = {
  kind: 'object',
  description: 'ResourceSpec describes the resource requirement of running the workload.',
  properties: {
    count: {
      kind: 'integer',
      format: 'int32',
      minimum: 1,
      default: 1,
      description: 'Count is the required number of GPU nodes. Deprecated in v1beta1.',
    },
    instanceType: string(
      'InstanceType specifies the GPU node SKU. Leave it empty to bring your own nodes or to let kaito-gitops pick the cheapest SKU that fits.',
    ),
    labelSelector,
    preferredNodes: strings('PreferredNodes is an optional node list specified by the user.'),
    partition: {
      kind: 'object',
      description:
        'GPU partitioning on bring-your-own nodes: mode "mig" runs the model on one MIG slice (profile, e.g. 3g.40gb), mode "accelerator" on count whole GPUs of a node.',
      properties: {
        mode: { kind: 'string', enum: ['mig', 'accelerator'] },
        profile: string(),
        count: { kind: 'integer', format: 'int32', minimum: 1 },
      } satisfies Record<keyof NonNullable<ResourceSpec['partition']>, SchemaNode>,
      required: ['mode'],
    },
  } satisfies Record<keyof ResourceSpec, SchemaNode>,
  required: ['labelSelector'],
};

const volumeSource = (description: string): SchemaNode => ({ kind: 'opaque', description });

const presetSchema = (description: string): ObjectNode => ({
  kind: 'object',
  description,
  properties: {
    name: string('Name of a supported model preset, or a Hugging Face model id (org/model).'),
    accessMode: {
      kind: 'string',
      enum: ['public', 'private'],
      default: 'public',
      description:
        'AccessMode specifies whether the model image is in a public or a private registry. Defaults to "public". Deprecated in v1beta1.',
    },
    presetOptions: {
      kind: 'object',
      properties: {
        image: string('Image is the name of the containerized model image (private access mode).'),
        imagePullSecrets: strings('Secret names in the same namespace used for pulling the model image.'),
        modelAccessSecret: string(
          'Name of a Secret holding the key HF_TOKEN, for gated Hugging Face models.',
        ),
      } satisfies Record<keyof PresetOptions, SchemaNode>,
    },
  } satisfies Record<keyof PresetSpec, SchemaNode>,
  required: ['name'],
});

const dataSource: ObjectNode = {
  kind: 'object',
  properties: {
    name: string('The name of the dataset. The same name will be used as a container name.'),
    urls: strings('URLs of public data files (http or https).'),
    image: string('An image holding the data in its /data directory.'),
    imagePullSecrets: strings('Secret names in the same namespace used for pulling the data image.'),
    volumeSource: volumeSource('A Kubernetes VolumeSource holding the data.'),
  } satisfies Record<keyof DataSource, SchemaNode>,
};

const dataDestination: ObjectNode = {
  kind: 'object',
  properties: {
    image: string('The image the tuning output is pushed to.'),
    imagePushSecret: string('Secret name in the same namespace used for pushing the output image.'),
    volumeSource: volumeSource('A Kubernetes VolumeSource the tuning output is written to.'),
  } satisfies Record<keyof DataDestination, SchemaNode>,
};

export const inferenceSchema: ObjectNode = {
  kind: 'object',
  properties: {
    preset: presetSchema('Preset describes the base model that will be deployed with preset configurations.'),
    template: {
      kind: 'opaque',
      description: 'A Kubernetes PodTemplateSpec used to run the inference service instead of a preset.',
    },
    config: string(
      'Name of a ConfigMap in the Workspace namespace holding inference_config.yaml (vLLM arguments under vllm:).',
    ),
    adapters: {
      kind: 'array',
      description: 'LoRA adapters integrated into the base model for inference (at most 10).',
      items: {
        kind: 'object',
        properties: {
          source: { ...dataSource, description: 'Source describes where to obtain the adapter data.' },
          strength: string(
            'Multiplier for the adapter weights: a decimal string between 0 and 1. Defaults to "1.0".',
          ),
        } satisfies Record<keyof AdapterSpec, SchemaNode>,
        required: ['source'],
      },
    },
  } satisfies Record<keyof InferenceSpec, SchemaNode>,
};

export const tuningSchema: ObjectNode = {
  kind: 'object',
  properties: {
    preset: presetSchema('Preset describes which model to load for tuning.'),
    method: string('Method specifies the parameter-efficient fine-tuning method: lora or qlora.'),
    config: string(
      "Name of a ConfigMap in the Workspace namespace holding training_config.yaml, mounted at /mnt/config. When empty, Kaito's default parameters for the method are rendered as the ConfigMap <workspace name>-<method>-params and mounted instead.",
    ),
    input: { ...dataSource, description: 'Input describes the input used by the tuning method.' },
    output: { ...dataDestination, description: 'Output specified where to store the tuning output.' },
  } satisfies Record<keyof TuningSpec, SchemaNode>,
  required: ['preset', 'method', 'input', 'output'],
};

export const metadataSchema: ObjectNode = {
  kind: 'object',
  properties: {
    name: string('Workspace name: a DNS-1123 label; the Service gets the same name.'),
    namespace: string('Namespace, a DNS-1123 label. Defaults to "default".'),
    labels: stringMap('Labels of the Workspace object.'),
    annotations: stringMap(
      'Annotations, among them kaito.sh/runtime (vllm or transformers), kaito.sh/performance-mode and kaito.sh/node-image-family.',
    ),
  } satisfies Record<keyof ObjectMeta, SchemaNode>,
  required: ['name'],
};

/** The fields of a Workspace as the source repository holds them. */
export const workspaceDocumentSchema: ObjectNode = {
  kind: 'object',
  description: 'Workspace is the Schema for the workspaces API (Kaito).',
  properties: {
    apiVersion: { kind: 'string', enum: API_VERSIONS },
    kind: { kind: 'string', enum: ['Workspace'] },
    metadata: metadataSchema,
    resource: resourceSchema,
    inference: inferenceSchema,
    tuning: tuningSchema,
  } satisfies Record<keyof WorkspaceDocument, SchemaNode>,
  required: ['apiVersion', 'kind', 'metadata', 'resource'],
};

/** `metav1.Condition`. */
const condition: ObjectNode = {
  kind: 'object',
  description: 'Condition contains details for one aspect of the current state of this API Resource.',
  properties: {
    type: {
      kind: 'string',
      description: 'type of condition in CamelCase or in foo.example.com/CamelCase.',
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    },
    status: {
      kind: 'string',
      description: 'status of the condition, one of True, False, Unknown.',
      enum: ['True', 'False', 'Unknown'],
    },
    observedGeneration: {
      kind: 'integer',
      format: 'int64',
      minimum: 0,
      description:
        'observedGeneration represents the .metadata.generation that the condition was set based upon.',
    },
    lastTransitionTime: {
      kind: 'string',
      format: 'date-time',
      description:
        'lastTransitionTime is the last time the condition transitioned from one status to another.',
    },
    reason: {
      kind: 'string',
      description:
        "reason contains a programmatic identifier indicating the reason for the condition's last transition.",
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    },
    message: {
      kind: 'string',
      description: 'message is a human readable message indicating details about the transition.',
      maxLength: 32768,
    },
  },
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
};

/** The status the agent writes; only in the CRD (a source document carries no status). */
export const statusSchema: ObjectNode = {
  kind: 'object',
  description: 'WorkspaceStatus defines the observed state of Workspace.',
  default: { observedGeneration: -1 },
  properties: {
    observedGeneration: {
      kind: 'integer',
      format: 'int64',
      default: -1,
      description:
        'The last metadata.generation the agent reconciled to Ready or Stalled; -1 until the first reconcile, so kstatus reports InProgress.',
    },
    conditions: {
      kind: 'array',
      description: 'Conditions report the current conditions of the workspace, one per type.',
      items: condition,
      listType: 'map',
      listMapKeys: ['type'],
    },
    workerNodes: strings('WorkerNodes is the list of nodes chosen to run the workload.'),
    targetNodeCount: {
      kind: 'integer',
      format: 'int32',
      minimum: 0,
      description: 'TargetNodeCount is the number of nodes the workload needs.',
    },
    state: {
      kind: 'string',
      // No enum: Kaito's CRD has none, and its controller may write states this agent does not.
      description:
        'State: Pending, Ready or NotReady (inference); Pending, Running, Succeeded or Failed (tuning).',
    },
    performance: {
      kind: 'object',
      description:
        "Performance holds the metrics of Kaito's post-load inference benchmark (kept when Kaito's controller wrote them).",
      properties: {
        metrics: {
          kind: 'map',
          description: 'Metrics is a map of metric name to Metric.',
          values: {
            kind: 'object',
            description: 'Metric holds a single benchmark measurement with its description and config.',
            properties: {
              config: stringMap('Config holds the benchmark parameters used to produce this metric.'),
              description: {
                kind: 'string',
                description: 'Description describes the benchmark type and load.',
              },
              unit: {
                kind: 'string',
                description: 'Unit is the unit of the metric value (e.g. "tokens/min").',
              },
              value: {
                kind: 'string',
                description: 'Value is the measured metric value, formatted as a string.',
              },
            },
            required: ['description', 'value'],
          },
        },
      },
    },
    tuning: {
      kind: 'object',
      description: 'What the tuning Job produced.',
      properties: {
        outputImage: {
          kind: 'string',
          description:
            'The adapter image the tuning pod pushed, pinned by digest (image@sha256:...): use it in inference.adapters.',
        },
      },
    },
  },
};
