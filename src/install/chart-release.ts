/**
 * What a Helm release of the chart is called and labelled: names scoped to the release (namespaced
 * objects by release name, cluster-scoped ones by release name and namespace, so two releases never
 * collide), the standard `app.kubernetes.io/*` and `helm.sh/chart` labels, and the same rules as Go
 * templates in `_helpers.tpl`. The TypeScript is the source: the chart tests render the helpers for many
 * releases and compare. Also `NOTES.txt`, which says how to check the agent after `helm install`.
 */

export const CHART_NAME = 'kaito-gitops';

/** A Helm release as templates see it (`.Release`), plus the chart version (`.Chart.Version`). */
export interface Release {
  name: string;
  namespace: string;
  /** `.Release.Service`: `Helm`; the plain `kubectl apply -k` route says `kubectl`. */
  service: string;
}

const MAX_NAME = 63;

/** Helm's `trunc 63 | trimSuffix "-"`. */
function dnsTrunc(name: string): string {
  const cut = name.slice(0, MAX_NAME);
  return cut.endsWith('-') ? cut.slice(0, -1) : cut;
}

/** The release's base name: the release name when it already says kaito-gitops, else `<release>-kaito-gitops`. */
export function fullname(release: Release): string {
  return dnsTrunc(release.name.includes(CHART_NAME) ? release.name : `${release.name}-${CHART_NAME}`);
}

export interface ReleaseNames {
  /** ServiceAccount, Deployment and the leader-election Lease. */
  agent: string;
  /** Role and RoleBinding for the Lease. */
  leaseRole: string;
  /** ClusterRole and ClusterRoleBinding: cluster-scoped, so the namespace is part of the name. */
  clusterRole: string;
}

export function releaseNames(release: Release): ReleaseNames {
  const base = fullname(release);
  return {
    agent: base,
    leaseRole: `${base}-leader-election`,
    clusterRole: `${base}-${release.namespace}`,
  };
}

export function selectorLabels(release: Release): Record<string, string> {
  return {
    'app.kubernetes.io/name': CHART_NAME,
    'app.kubernetes.io/instance': release.name,
    'app.kubernetes.io/component': 'agent',
  };
}

/** Labels on every object of the release. */
export function releaseLabels(release: Release, chartVersion: string): Record<string, string> {
  return {
    'helm.sh/chart': dnsTrunc(`${CHART_NAME}-${chartVersion}`.replaceAll('+', '_')),
    ...selectorLabels(release),
    'app.kubernetes.io/part-of': CHART_NAME,
    'app.kubernetes.io/version': chartVersion,
    'app.kubernetes.io/managed-by': release.service,
  };
}

/** `include` names of the helpers, for the template generator. */
export const HELPERS = {
  fullname: `${CHART_NAME}.fullname`,
  leaseRole: `${CHART_NAME}.leaseRoleName`,
  clusterRole: `${CHART_NAME}.clusterRoleName`,
  labels: `${CHART_NAME}.labels`,
  selectorLabels: `${CHART_NAME}.selectorLabels`,
} as const;

/** `templates/_helpers.tpl`: the rules above as Go templates. */
export const HELPERS_TPL = `{{/* Names and labels of a release; generated from src/install/chart-release.ts. */}}

{{/* The release's base name: the release name when it already says ${CHART_NAME}, else <release>-${CHART_NAME}. */}}
{{- define "${HELPERS.fullname}" -}}
{{- if contains "${CHART_NAME}" .Release.Name -}}
{{- .Release.Name | trunc ${MAX_NAME} | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name "${CHART_NAME}" | trunc ${MAX_NAME} | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "${HELPERS.leaseRole}" -}}
{{- printf "%s-leader-election" (include "${HELPERS.fullname}" .) -}}
{{- end -}}

{{/* Cluster-scoped objects: two releases of the same name in two namespaces must not collide. */}}
{{- define "${HELPERS.clusterRole}" -}}
{{- printf "%s-%s" (include "${HELPERS.fullname}" .) .Release.Namespace -}}
{{- end -}}

{{- define "${HELPERS.selectorLabels}" -}}
app.kubernetes.io/name: ${CHART_NAME}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "${HELPERS.labels}" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc ${MAX_NAME} | trimSuffix "-" | quote }}
{{ include "${HELPERS.selectorLabels}" . }}
app.kubernetes.io/part-of: ${CHART_NAME}
app.kubernetes.io/version: {{ .Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end -}}
`;

/** `templates/NOTES.txt`, printed by `helm install` and `helm upgrade`. */
export function notesTxt(crdPath: string): string {
  const agent = `{{ include "${HELPERS.fullname}" . }}`;
  return `kaito-gitops {{ .Chart.Version }} is installed: release {{ .Release.Name }} in namespace {{ .Release.Namespace }}, provisioner {{ .Values.provisioner }}.

Check the agent:
  kubectl -n {{ .Release.Namespace }} rollout status deployment/${agent}
  kubectl -n {{ .Release.Namespace }} logs deployment/${agent}
  kubectl -n {{ .Release.Namespace }} port-forward deployment/${agent} 8081:8081
  curl -s localhost:8081/readyz    # 200 once the agent reaches the API server and its caches are synced
  kubectl get workspaces -A        # WORKSPACEREADY, STATE; -o yaml for the conditions
{{- if .Values.coexist }}

Coexisting with Kaito: the agent manages only Workspaces labelled app.kubernetes.io/managed-by=kaito-gitops.
{{- end }}

Helm installs the Workspace CRD only when the cluster has none, and never upgrades it. After every upgrade:
  kubectl apply --server-side --force-conflicts -f ${crdPath}
`;
}
