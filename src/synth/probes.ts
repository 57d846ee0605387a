/**
 * Health probes of the preset inference server. The startup probe carries the model's loading time
 * (the preset's readiness timeout), so liveness and readiness can stay strict once it is up.
 */
import type { V1Probe } from '@kubernetes/client-node';
import type { WorkspacePlan } from '../catalog/types.ts';
import { HTTP_PORT } from './constants.ts';

const PERIOD_SECONDS = 10;

export interface InferenceProbes {
  startupProbe: V1Probe;
  livenessProbe: V1Probe;
  readinessProbe: V1Probe;
}

/** Startup attempts that fit the readiness timeout: `ceil(timeout / period)`, at least 1. */
export function startupFailureThreshold(readinessTimeoutSeconds: number): number {
  return Math.max(1, Math.ceil(readinessTimeoutSeconds / PERIOD_SECONDS));
}

/** vLLM serves `/health`; Kaito's transformers server `/healthz`. */
export function healthPath(runtime: WorkspacePlan['runtime']): string {
  return runtime === 'vllm' ? '/health' : '/healthz';
}

/**
 * HTTP probes on port 5000; for multi-node vLLM, Kaito's `multi-node-health-check.py`, because only
 * the leader (pod 0) serves HTTP there while the workers run Ray.
 */
export function inferenceProbes(plan: WorkspacePlan): InferenceProbes {
  const startupFailures = startupFailureThreshold(plan.readinessTimeoutSeconds);
  if (plan.multiNode && plan.runtime === 'vllm') {
    const { name, namespace } = plan.workspace;
    const leader = `--leader-address=${name}-0.${name}-headless.${namespace}.svc.cluster.local`;
    const check = (...args: string[]) => ({
      command: ['python3', '/workspace/vllm/multi-node-health-check.py', ...args],
    });
    return {
      startupProbe: {
        exec: check('readiness', leader, `--vllm-port=${HTTP_PORT}`),
        periodSeconds: PERIOD_SECONDS,
        failureThreshold: startupFailures,
      },
      livenessProbe: {
        exec: check('liveness', leader, '--ray-port=6379'),
        periodSeconds: PERIOD_SECONDS,
        failureThreshold: 3,
      },
      readinessProbe: {
        exec: check('readiness', leader, `--vllm-port=${HTTP_PORT}`),
        periodSeconds: PERIOD_SECONDS,
      },
    };
  }
  const httpGet = () => ({ path: healthPath(plan.runtime), port: HTTP_PORT });
  return {
    startupProbe: { httpGet: httpGet(), periodSeconds: PERIOD_SECONDS, failureThreshold: startupFailures },
    livenessProbe: { httpGet: httpGet(), periodSeconds: PERIOD_SECONDS, failureThreshold: 3 },
    readinessProbe: { httpGet: httpGet(), periodSeconds: PERIOD_SECONDS },
  };
}
