/**
 * What every way of installing kaito-gitops shares: the image (one repository, tagged with the package
 * version) and the namespace the agent and the sync server run in.
 */
import { KAITO_GITOPS_IMAGE_REPOSITORY, KAITO_GITOPS_VERSION } from '../api/index.ts';

/** The package version: the chart's version and the image tag. */
export const VERSION: string = KAITO_GITOPS_VERSION;
/** Where the image is published; a fork changes this. */
export const IMAGE_REPOSITORY = KAITO_GITOPS_IMAGE_REPOSITORY;
export const DEFAULT_IMAGE = `${IMAGE_REPOSITORY}:${VERSION}`;
/** The namespace of the plain `kubectl apply -k` route and of the sync server (Helm: the release's). */
export const INSTALL_NAMESPACE = 'kaito-gitops';
/** `app.kubernetes.io/part-of` on everything kaito-gitops installs. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'kaito-gitops' } as const;
