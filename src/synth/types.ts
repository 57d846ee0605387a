/** What synthesis produces: plain Kubernetes objects, grouped per Workspace. */

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
  objects: Manifest[];
}
