/**
 * Every generated file of `charts/kaito-gitops` except the CRD (the api folder's): Chart.yaml, values,
 * schema, Helm templates, and the plain route for `kubectl apply -k charts/kaito-gitops` (the manifests
 * for the default values plus a Namespace). Pure; `generate.ts` writes them, a test compares them with
 * what is committed.
 */
import { stringify } from 'yaml';
import { CRD_PATH, compareStrings } from '../api/index.ts';
import { GENERATED_HEADER, helmTemplates, objectYaml } from './helm-templates.ts';
import { INSTALL_NAMESPACE } from './identity.ts';
import { agentManifests, namespaceManifest, releaseIdentity } from './agent-manifests.ts';
import { CHART_NAME, HELPERS_TPL, notesTxt, type Release } from './chart-release.ts';
import { valuesSchema } from './values-schema.ts';
import { VALUE_DOCS, defaultValues } from './values.ts';

export const CHART_DIR = 'charts/kaito-gitops';
/** Namespace of the plain `kubectl apply -k` route; Helm installs into the release namespace instead. */
export const PLAIN_NAMESPACE = INSTALL_NAMESPACE;
/** What the plain route is, as a release: named like the chart, in its namespace, applied by kubectl. */
export const PLAIN_RELEASE: Release = { name: CHART_NAME, namespace: PLAIN_NAMESPACE, service: 'kubectl' };

export interface ChartFile {
  /** Path relative to the repository root. */
  path: string;
  content: string;
}

function valuesYaml(appVersion: string): string {
  const values = defaultValues(appVersion) as unknown as Record<string, unknown>;
  const sections = Object.keys(values).map((key) => {
    const doc = VALUE_DOCS[key];
    // Quoted strings: an image tag like 1.10 must stay a string, not become the number 1.1.
    const yaml = stringify(
      { [key]: values[key] },
      { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
    );
    return `${doc === undefined ? '' : `# ${doc}\n`}${yaml}`;
  });
  return `${GENERATED_HEADER}${sections.join('\n')}`;
}

function chartYaml(appVersion: string): string {
  return (
    GENERATED_HEADER +
    stringify(
      {
        apiVersion: 'v2',
        name: 'kaito-gitops',
        description:
          'The kaito-gitops agent: GPU nodes and status for Kaito Workspaces applied by Flux or Argo CD, and the Workspace CRD.',
        type: 'application',
        version: appVersion,
        appVersion,
      },
      { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
    )
  );
}

/** `appVersion`: package.json's version (the image tag the chart defaults to). */
export function chartFiles(appVersion: string): ChartFile[] {
  const identity = releaseIdentity(PLAIN_RELEASE, appVersion);
  const plain = [namespaceManifest(identity), ...agentManifests(defaultValues(appVersion), identity)];
  const plainFiles = plain.map((object) => ({
    path: `${CHART_DIR}/kustomize/${object.kind.toLowerCase()}.yaml`,
    content: GENERATED_HEADER + objectYaml(object),
  }));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [CRD_PATH, ...plainFiles.map((f) => f.path)].map((p) => p.slice(CHART_DIR.length + 1)),
  };
  return [
    { path: `${CHART_DIR}/Chart.yaml`, content: chartYaml(appVersion) },
    { path: `${CHART_DIR}/values.yaml`, content: valuesYaml(appVersion) },
    { path: `${CHART_DIR}/values.schema.json`, content: `${JSON.stringify(valuesSchema(), null, 2)}\n` },
    // The plain route lives beside the chart; Helm must not package it.
    {
      path: `${CHART_DIR}/.helmignore`,
      content: '# Not part of the Helm chart: the kubectl apply -k route.\nkustomization.yaml\nkustomize/\n',
    },
    ...helmTemplates().map((t) => ({ path: `${CHART_DIR}/templates/${t.name}`, content: t.content })),
    { path: `${CHART_DIR}/templates/_helpers.tpl`, content: HELPERS_TPL },
    { path: `${CHART_DIR}/templates/NOTES.txt`, content: notesTxt(CRD_PATH) },
    {
      path: `${CHART_DIR}/kustomization.yaml`,
      content: GENERATED_HEADER + stringify(kustomization, { lineWidth: 0 }),
    },
    ...plainFiles,
  ].sort((a, b) => compareStrings(a.path, b.path));
}
