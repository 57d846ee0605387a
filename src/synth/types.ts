/** What synthesis produces: plain Kubernetes objects, grouped per Workspace, and how it is tuned. */

export interface ManifestMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** One Kubernetes object, JSON-shaped, ready to serialize. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
  [field: string]: unknown;
}

/** All objects generated for one Workspace (the Workspace object itself included). */
export interface WorkspaceManifests {
  namespace: string;
  name: string;
  /**
   * The source file the Workspace came from, relative to the source root; render records it in the
   * inventory so a reader can tell which spec produced which directory. Set by `synthesize`.
   */
  source?: string;
  /** In a fixed order: Workspace, ConfigMaps, PersistentVolumeClaims, Services, the workload. */
  objects: Manifest[];
}

/** Images of the helper containers synthesis adds; pin them, and mirror them for air-gapped clusters. */
export interface HelperImages {
  /** Downloads `tuning.input.urls` in the `data-downloader` init container. @default "curlimages/curl:8.11.1" */
  dataDownloader: string;
  /**
   * The kaito-gitops image: pushes fine-tuning results (`adapter push`, the tuning Job's `pusher`) and
   * pulls adapter and tuning-input images (`adapter pull` init containers), so those images need no shell.
   * @default "ghcr.io/kaito-gitops/kaito-gitops:<this version>"
   */
  kaitoGitops: string;
}

export interface SynthOptions {
  /**
   * Extra annotations for the Workspace object (sync stamps the source commit there). They win over
   * annotations of the same key in the spec. @default {}
   */
  workspaceAnnotations?: Readonly<Record<string, string>>;
  /** Helper images; each one not given keeps its default. @default {} */
  images?: Partial<HelperImages>;
}
