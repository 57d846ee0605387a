/** The OCI registry client and the adapter image format, as other folders may use them. */
export { pushAdapter, type PushAdapterOptions, type PushedAdapter } from './adapter-push.ts';
export {
  pullAdapter,
  AdapterFilesError,
  type PullAdapterOptions,
  type PulledAdapter,
  type AdapterFileInfo,
} from './adapter-pull.ts';
export { inspectAdapter, type InspectedImage, type InspectedLayer } from './adapter-inspect.ts';
export { COMPLETION_FILE, readAdapterDirectory, type AdapterFile } from './adapter-files.ts';
export { ANONYMOUS, DockerConfigCredentials, type Credential, type CredentialSource } from './credentials.ts';
export {
  RegistryAuthError,
  RegistryContentError,
  RegistryCredentialsError,
  RegistryDeniedError,
  RegistryError,
  RegistryNotFoundError,
  RegistryUnavailableError,
} from './errors.ts';
export { KAITO_MODEL_ANNOTATION, MEDIA, type Descriptor, type ImageManifest } from './manifest.ts';
export { formatReference, parseReference, type ImageReference } from './reference.ts';
export { RegistryClient, type ClientOptions, type PushedBlob, type Repository } from './registry-client.ts';
