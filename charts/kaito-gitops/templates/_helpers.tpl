{{/* Names and labels of a release; generated from src/install/chart-release.ts. */}}

{{/* The release's base name: the release name when it already says kaito-gitops, else <release>-kaito-gitops. */}}
{{- define "kaito-gitops.fullname" -}}
{{- if contains "kaito-gitops" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name "kaito-gitops" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kaito-gitops.leaseRoleName" -}}
{{- printf "%s-leader-election" (include "kaito-gitops.fullname" .) -}}
{{- end -}}

{{/* Cluster-scoped objects: two releases of the same name in two namespaces must not collide. */}}
{{- define "kaito-gitops.clusterRoleName" -}}
{{- printf "%s-%s" (include "kaito-gitops.fullname" .) .Release.Namespace -}}
{{- end -}}

{{- define "kaito-gitops.selectorLabels" -}}
app.kubernetes.io/name: kaito-gitops
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "kaito-gitops.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
{{ include "kaito-gitops.selectorLabels" . }}
app.kubernetes.io/part-of: kaito-gitops
app.kubernetes.io/version: {{ .Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end -}}
