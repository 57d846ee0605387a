/** Workspace specs for report tests: small phi-3 Workspaces whose plans differ by SKU, and a misspelt one. */
export const phi3 = (
  name: string,
  instanceType = 'Standard_NC6s_v3',
  namespace = 'default',
) => `apiVersion: kaito.sh/v1alpha1
kind: Workspace
metadata:
  name: ${name}
  namespace: ${namespace}
resource:
  instanceType: ${instanceType}
  labelSelector:
    matchLabels:
      apps: ${name}
inference:
  preset:
    name: phi-3-mini-4k-instruct
`;

/** A Workspace whose preset name is misspelt (line 11). */
export const misspelt = (name: string) =>
  phi3(name).replace('phi-3-mini-4k-instruct', 'phi-3-mini-4k-instruc');
