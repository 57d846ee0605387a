import { describe, expect, it } from 'vitest';
import { SHAPES, project, trimWorkspace, type Shape } from '../../../src/agent/kube/cache-shapes.ts';
import { classifyPod } from '../../../src/agent/pod-failure.ts';
import { nodeVerdict } from '../../../src/agent/node-readiness.ts';
import { workspaceObjects } from '../../support/cluster-objects.ts';

const [node, deployment, pod, workspace] = workspaceObjects(7) as unknown as [
  Record<string, unknown>,
  Record<string, unknown>,
  Record<string, unknown>,
  Record<string, unknown>,
];
const size = (value: unknown) => JSON.stringify(value).length;

describe('project', () => {
  it.each([
    ['a value as it is', { a: 1, b: 2 }, { a: true }, { a: 1 }],
    ['nested fields', { a: { b: 1, c: 2 }, d: 3 }, { a: { b: true } }, { a: { b: 1 } }],
    [
      'every item of a list',
      { l: [{ x: 1, y: 2 }, { x: 3 }] },
      { l: [{ x: true }] },
      { l: [{ x: 1 }, { x: 3 }] },
    ],
    ['nothing for absent fields', { a: 1 }, { b: true, c: { d: true } }, {}],
    ['no object where a scalar was', { a: 'text' }, { a: { b: true } }, { a: undefined }],
  ])('keeps %s', (_what, value, shape, kept) => {
    expect(project(value, shape as Shape)).toEqual(kept);
  });
});

describe('what the informer caches keep', () => {
  it('drops managedFields, pod specs and node images, and keeps every field the agent reads', () => {
    const keptPod = project(pod, SHAPES.Pod) as Parameters<typeof classifyPod>[0];
    const keptNode = project(node, SHAPES.Node) as Parameters<typeof nodeVerdict>[0];
    expect(keptPod.metadata?.managedFields).toBeUndefined();
    expect(keptNode.status?.images).toBeUndefined();
    expect(size(keptPod) * 4).toBeLessThan(size(pod));
    expect(size(keptNode) * 4).toBeLessThan(size(node));
    // The same verdicts from the trimmed objects as from the full ones.
    expect(nodeVerdict(keptNode, { matchLabels: { apps: 'ws-7' } })).toBe('usable');
    const crashing = structuredClone(pod) as { status: { conditions: { type: string; status: string }[] } };
    crashing.status.conditions = [{ type: 'Ready', status: 'False' }];
    (crashing.status as Record<string, unknown>)['containerStatuses'] = [
      {
        name: 'ws-7',
        ready: false,
        image: 'img',
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
      },
    ];
    const full = crashing as Parameters<typeof classifyPod>[0];
    expect(classifyPod(project(full, SHAPES.Pod) as typeof full)).toEqual(classifyPod(full));
    expect(classifyPod(full)?.reason).toBe('ContainerOOMKilled');
    const keptDeployment = project(deployment, SHAPES.Deployment) as {
      spec: { replicas: number };
      status: { readyReplicas: number };
    };
    expect(keptDeployment).toMatchObject({ spec: { replicas: 1 }, status: { readyReplicas: 1 } });
  });

  it('keeps a Workspace whole but for managedFields and kubectl’s last-applied copy', () => {
    const trimmed = trimWorkspace(workspace as never) as Record<string, unknown> & {
      metadata: { annotations: Record<string, string>; managedFields?: unknown };
    };
    expect(trimmed.metadata.managedFields).toBeUndefined();
    expect(trimmed.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
    expect(trimmed.metadata.annotations['kaito.sh/runtime']).toBe('vllm');
    expect(trimmed['resource']).toEqual(workspace['resource']);
    expect(trimmed['inference']).toEqual(workspace['inference']);
  });
});
