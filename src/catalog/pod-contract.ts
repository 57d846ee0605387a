/**
 * What the model server's pod and the command the catalog builds for it must agree on: ports, health
 * paths, and the directories Kaito's images read and write (weights, config, adapters, tuning data and
 * results). Kaito's servers, training scripts and adapter loader use these, so they are not options.
 * The catalog writes them into commands; synthesis mounts volumes and opens ports at the same places.
 */
import { INFERENCE_CONFIG_KEY } from '../api/index.ts';

/** The model server's HTTP port in the container. */
export const CONTAINER_PORT = 5000;
/** The Workspace Service's HTTP port (→ {@link CONTAINER_PORT}). */
export const SERVICE_PORT = 80;
/** torch.distributed rendezvous port of the transformers runtime (`torchrun`); Kaito exposes it. */
export const TORCH_PORT = 29500;
/** Ray's port on the multi-node vLLM leader. */
export const RAY_PORT = 6379;
export const RAY_DASHBOARD_PORT = 8265;
/** vLLM's KV-cache event stream (ZMQ), which Kaito v0.12 turns on for KV-aware routers. */
export const KV_EVENTS_PORT = 5557;

/** Health endpoint of Kaito's current servers. */
export const HEALTH_PATH = '/health';
/** Health endpoint of the v0.3.2 preset images (transformers, weights baked in). */
export const LEGACY_HEALTH_PATH = '/healthz';

/** Where vLLM downloads the weights (`--download-dir`); an emptyDir keeps them across restarts. */
export const WEIGHTS_DIR = '/workspace/weights';
/** Where `inference.config` / `tuning.config` is mounted. */
export const CONFIG_DIR = '/mnt/config';
/** The inference config file the server reads (`--kaito-config-file`). */
export const CONFIG_FILE = `${CONFIG_DIR}/${INFERENCE_CONFIG_KEY}`;
/** vLLM loads every directory under this one as a LoRA adapter of that name. */
export const ADAPTER_DIR = '/mnt/adapter';
/**
 * Where Kaito installs a CUDA toolkit on the node for models whose vLLM kernels are compiled at run
 * time; the server finds it through `CUDA_HOME`.
 */
export const CUDA_HOME = '/opt/kaito/cuda/129';
/** Fine-tuning input. */
export const DATA_DIR = '/mnt/data';
/** Fine-tuning output. */
export const RESULTS_DIR = '/mnt/results';
/** Kaito's fine-tuning script writes this file into the output directory when it is done. */
export const TUNING_DONE_FILE = 'fine_tuning_completed.txt';
