/**
 * The node labels AKS refuses on an agent pool, for the local ARM server: AKS answers the PUT with 400
 * `BadRequest` and names the label in `target` (Azure/AKS#2866, #4613 for today's message; #1937 for the
 * labels kubelet may still set). The rule is the kubelet NodeRestriction one (KEP "bounding self-labeling
 * kubelets"): a node may not label itself in the `kubernetes.io` or `k8s.io` namespace (the domains and
 * their subdomains) except under `kubelet.kubernetes.io` and `node.kubernetes.io` or with one of kubelet's
 * own labels. AKS also keeps `kubernetes.azure.com` for its system labels (as reported in
 * ams0/aks-nvme-ssd-provisioner#5). AKS checks more than this (label syntax, counts); not modelled here.
 */

export interface NodeLabelRefusal {
  code: 'BadRequest';
  message: string;
  target: string;
}

/** Labels kubelet sets itself, which AKS admits in the restricted namespaces (#1937's message). */
const KUBELET_LABELS = new Set([
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'beta.kubernetes.io/os',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.kubernetes.io/region',
  'failure-domain.kubernetes.io/zone',
  'kubernetes.io/arch',
  'kubernetes.io/hostname',
  'kubernetes.io/instance-type',
  'kubernetes.io/os',
]);

function inNamespace(domain: string, namespace: string): boolean {
  return domain === namespace || domain.endsWith(`.${namespace}`);
}

/** Why AKS refuses a label key on an agent pool; undefined when it accepts it. */
export function nodeLabelRefusal(key: string, value: string): NodeLabelRefusal | undefined {
  const slash = key.indexOf('/');
  const domain = slash < 0 ? '' : key.slice(0, slash).toLowerCase();
  const target = `${key}=${value}`;
  if (inNamespace(domain, 'kubernetes.azure.com')) {
    return {
      code: 'BadRequest',
      message: `Invalid node label key ${key}. The 'kubernetes.azure.com' prefix is preserved by aks system labels`,
      target,
    };
  }
  const restricted = inNamespace(domain, 'kubernetes.io') || inNamespace(domain, 'k8s.io');
  const allowed =
    inNamespace(domain, 'kubelet.kubernetes.io') ||
    inNamespace(domain, 'node.kubernetes.io') ||
    KUBELET_LABELS.has(key);
  if (!restricted || allowed) return undefined;
  return {
    code: 'BadRequest',
    message:
      "For Kubernetes version greater than or equal to 1.16, node label keys in the 'kubernetes.io' or 'k8s.io' namespace must begin with an allowed prefix (kubelet.kubernetes.io, node.kubernetes.io). For more information, please check https://aka.ms/aks-node-labels-116.",
    target,
  };
}
