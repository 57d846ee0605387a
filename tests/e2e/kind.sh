#!/usr/bin/env bash
# End-to-end check of the agent against a real Kubernetes cluster (kind). NOT run in CI: CI machines
# have no container engine and no kube-apiserver, which is why the agent's tests use
# tests/support/kube-api-server. Run it by hand where kind and a container engine exist:
#
#   npm install && tests/e2e/kind.sh            # KEEP_CLUSTER=1 keeps the cluster afterwards
#
# It plays the parts a GPU cluster would: one kind node is labelled like a GPU node (NVIDIA GPU feature
# discovery labels) and given `nvidia.com/gpu` capacity, the agent runs with --provisioner byo, and a
# rendered Workspace is applied with kubectl. It then checks what the agent's scenario tests check
# against the test server: ResourceReady from the node, the finalizer, status written through the status
# subresource with observedGeneration, the model pod's failure classified (no GPU image pulls in kind),
# and deletion removing the finalizer.
set -euo pipefail
cd "$(dirname "$0")/../.."

cluster=kaito-gitops-e2e
ns=default
workspace=workspace-e2e
export PATH="$PWD/node_modules/.bin:$PATH"

for tool in kind kubectl; do
  command -v "$tool" >/dev/null || { echo "kind.sh needs $tool on PATH" >&2; exit 2; }
done

work=$(mktemp -d)
agent_pid=
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ "${KEEP_CLUSTER:-}" = 1 ] || kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
# Polls a jsonpath until it equals the expected value (or the timeout in seconds passes).
wait_for() {
  local what=$1 path=$2 want=$3 timeout=${4:-120} got=
  for _ in $(seq "$timeout"); do
    got=$(kubectl get "$what" -n "$ns" -o "jsonpath=$path" 2>/dev/null || true)
    [ "$got" = "$want" ] && { echo "ok: $what $path = $want"; return 0; }
    sleep 1
  done
  echo "FAIL: $what $path is '$got', expected '$want'" >&2
  kubectl get "$what" -n "$ns" -o yaml >&2 || true
  exit 1
}

step "cluster"
kind get clusters | grep -qx "$cluster" || kind create cluster --name "$cluster" --wait 120s
kubectl config use-context "kind-$cluster" >/dev/null
kubectl apply -f charts/kaito-gitops/crds/kaito.sh_workspaces.yaml
kubectl wait --for=condition=Established crd/workspaces.kaito.sh --timeout=60s
kubectl create namespace kaito-gitops --dry-run=client -o yaml | kubectl apply -f -

step "a node that looks like a one-GPU V100 node"
node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
kubectl label node "$node" --overwrite apps=e2e \
  nvidia.com/gpu.product=Tesla-V100-PCIE-16GB nvidia.com/gpu.count=1 nvidia.com/gpu.memory=16384
kubectl taint node "$node" node-role.kubernetes.io/control-plane:NoSchedule- 2>/dev/null || true
# Extended resources are advertised through the node's status subresource (as a device plugin would).
kubectl patch node "$node" --subresource=status --type=json \
  -p '[{"op":"add","path":"/status/capacity/nvidia.com~1gpu","value":"1"}]'

step "agent (byo)"
node src/cli/main.ts agent --provisioner byo --lease-namespace kaito-gitops --metrics-addr 127.0.0.1:18081 \
  --resync 10 >"$work/agent.log" 2>&1 &
agent_pid=$!

step "render and apply a Workspace on bring-your-own nodes"
mkdir -p "$work/specs"
cat >"$work/specs/e2e.yaml" <<EOF
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: $workspace
  annotations:
    kaito-gitops.io/nodes: byo
resource:
  labelSelector:
    matchLabels:
      apps: e2e
inference:
  preset:
    name: phi-3-mini-4k-instruct
EOF
node src/cli/main.ts synth --workspaces "$work/specs" --out "$work/out"
kubectl apply -k "$work/out"

step "status"
wait_for "workspace/$workspace" '{.metadata.finalizers[0]}' workspace.finalizer.kaito.sh
wait_for "workspace/$workspace" '{.status.conditions[?(@.type=="ResourceReady")].status}' True
wait_for "workspace/$workspace" '{.status.observedGeneration}' "$(kubectl get "workspace/$workspace" -n "$ns" -o jsonpath='{.metadata.generation}')"
# kind cannot run the model (no GPU, and the image is large): the agent must say why, not claim Ready.
wait_for "workspace/$workspace" '{.status.conditions[?(@.type=="InferenceReady")].status}' False
wait_for "workspace/$workspace" '{.status.conditions[?(@.type=="Ready")].status}' False
kubectl get workspace "$workspace" -n "$ns"
kubectl get workspace "$workspace" -n "$ns" -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}'

step "delete"
kubectl delete -k "$work/out" --wait=false
for _ in $(seq 120); do
  kubectl get "workspace/$workspace" -n "$ns" >/dev/null 2>&1 || { echo "ok: workspace deleted, finalizer removed"; break; }
  sleep 1
done
if kubectl get "workspace/$workspace" -n "$ns" >/dev/null 2>&1; then
  echo "FAIL: workspace still present" >&2
  kubectl get "workspace/$workspace" -n "$ns" -o yaml >&2
  exit 1
fi

step "passed"
