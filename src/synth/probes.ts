/**
 * Health probes of the preset inference server. The startup probe carries the model's loading time
 * (the preset's readiness timeout), so liveness and readiness can stay strict once it is up.
 */
import type { V1Probe } from '@kubernetes/client-node';
import { RAY_PORT, type PresetInferencePlan } from '../catalog/index.ts';

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

/**
 * HTTP probes on port 5000; for multi-node vLLM, Kaito's `multi-node-health-check.py`, because only
 * the leader (pod 0) serves HTTP there while the workers run Ray. Their timing is Kaito v0.12's
 * (SetDistributedInferenceProbe): the liveness check imports Ray's state API and lists jobs and actors,
 * which takes seconds, so it gets 5 s, waits 60 s for the workers to join, and restarts at once when it
 * fails; readiness answers within Kubernetes' 1 s and one failure takes the pod out of the Service.
 */
export function inferenceProbes(plan: PresetInferencePlan): InferenceProbes {
  const startupFailures = startupFailureThreshold(plan.readinessTimeoutSeconds);
  if (plan.multiNode && plan.runtime === 'vllm') {
    const leader = `--leader-address=${plan.leaderAddress}`;
    const check = (...args: string[]) => ({
      command: ['python3', '/workspace/vllm/multi-node-health-check.py', ...args],
    });
    return {
      startupProbe: {
        exec: check('readiness', leader, `--vllm-port=${plan.containerPort}`),
        periodSeconds: PERIOD_SECONDS,
        timeoutSeconds: 1,
        failureThreshold: startupFailures,
      },
      livenessProbe: {
        exec: check('liveness', leader, `--ray-port=${RAY_PORT}`),
        initialDelaySeconds: 60,
        periodSeconds: PERIOD_SECONDS,
        timeoutSeconds: 5,
        failureThreshold: 1,
        terminationGracePeriodSeconds: 1,
      },
      readinessProbe: {
        exec: check('readiness', leader, `--vllm-port=${plan.containerPort}`),
        periodSeconds: PERIOD_SECONDS,
        timeoutSeconds: 1,
        failureThreshold: 1,
      },
    };
  }
  const httpGet = () => ({ path: plan.healthPath, port: plan.containerPort });
  return {
    startupProbe: { httpGet: httpGet(), periodSeconds: PERIOD_SECONDS, failureThreshold: startupFailures },
    livenessProbe: { httpGet: httpGet(), periodSeconds: PERIOD_SECONDS, failureThreshold: 3 },
    readinessProbe: { httpGet: httpGet(), periodSeconds: PERIOD_SECONDS },
  };
}
