/**
 * Every resource name, annotation and label Tessera reads or writes, in one place so no such string is typed
 * twice across the code base. docs/model.md describes each one with its grammar, default and an example.
 */

/** Extended resources (and the core `cpu`/`memory`) a pod's containers may request. */
export const RESOURCE = {
  /** Whole GPUs, the device plugin's name: `nvidia.com/gpu: 2`. */
  nvidiaGpu: 'nvidia.com/gpu',
  /** Whole GPUs, or the number of GPUs a share applies to: `tessera.io/gpu: 2`. */
  gpu: 'tessera.io/gpu',
  /** Per-GPU memory share: a plain integer in MiB (`10240`) or a byte quantity (`10Gi`). */
  gpuMemory: 'tessera.io/gpu-memory',
  /** Per-GPU compute share in milli-GPU, 1..1000. */
  gpuCompute: 'tessera.io/gpu-compute',
  /** Time-sliced replicas, one on each of N distinct GPUs. */
  gpuReplica: 'tessera.io/gpu-replica',
  /** Host CPU (quantity, converted to milli). */
  cpu: 'cpu',
  /** Host memory (byte quantity, converted to MiB). */
  memory: 'memory',
} as const;

/** Prefix of Tessera's MIG resources: `tessera.io/mig-3g.40gb: 1`. */
export const TESSERA_MIG_RESOURCE_PREFIX = 'tessera.io/mig-';
/** Prefix of the NVIDIA device plugin's MIG resources (mixed strategy), also accepted: `nvidia.com/mig-1g.10gb: 1`. */
export const NVIDIA_MIG_RESOURCE_PREFIX = 'nvidia.com/mig-';

/** Pod and node annotations Tessera reads (and `allocation`, which it writes on bind). */
export const ANNOTATION = {
  /** Pod: allowed GPU models, `H100|A100-80GB`. */
  gpuModel: 'tessera.io/gpu-model',
  /** Pod: multi-GPU topology need, `nvlink-required | nvlink-preferred | numa | any`. */
  topology: 'tessera.io/topology',
  /** Pod: `"true"` or `"false"`; whether the pod may run on spot capacity. */
  interruptible: 'tessera.io/interruptible',
  /** Pod: job group name; members are placed near each other. */
  group: 'tessera.io/group',
  /** Pod: the group is bound only when this many of its pods have places that fit together (all or nothing). */
  groupMinSize: 'tessera.io/group-min-size',
  /** Pod: every pod of the group in one `node`, `clique` (NVLink domain), `rack` or `zone`. */
  groupLocality: 'tessera.io/group-locality',
  /** Pod: the exact devices Tessera assigned (written on bind, read on restart). */
  allocation: 'tessera.io/allocation',
  /** Node: sharing policy for its GPUs. */
  gpuSharing: 'tessera.io/gpu-sharing',
  /** Node: comma-separated GPU uuids in index order. */
  gpuUuids: 'tessera.io/gpu-uuids',
  /** Node: device taints, `0,1:unhealthy=true:NoSchedule;3:team=ml:NoSchedule`. */
  gpuTaints: 'tessera.io/gpu-taints',
  /** Node: raw `nvidia-smi topo -m` output. */
  nvidiaSmiTopo: 'tessera.io/nvidia-smi-topo',
  /** Node: name of a topology preset (topology/presets). */
  topologyPreset: 'tessera.io/topology-preset',
  /** Node: price per hour, a decimal such as `12.5`. */
  hourlyPrice: 'tessera.io/hourly-price',
} as const;

/** Node labels Tessera reads (GPU Feature Discovery, well-known Kubernetes labels, cloud capacity-type labels). */
export const LABEL = {
  gpuProduct: 'nvidia.com/gpu.product',
  gpuCount: 'nvidia.com/gpu.count',
  gpuMemory: 'nvidia.com/gpu.memory',
  migStrategy: 'nvidia.com/mig.strategy',
  migConfig: 'nvidia.com/mig.config',
  gpuClique: 'nvidia.com/gpu.clique',
  zone: 'topology.kubernetes.io/zone',
  rack: 'tessera.io/rack',
  instanceType: 'node.kubernetes.io/instance-type',
  /** Tessera's own capacity-type label, `spot` or `on-demand`. */
  capacityType: 'tessera.io/capacity-type',
  karpenterCapacityType: 'karpenter.sh/capacity-type',
  eksCapacityType: 'eks.amazonaws.com/capacityType',
  gkeSpot: 'cloud.google.com/gke-spot',
  gkePreemptible: 'cloud.google.com/gke-preemptible',
  azureScaleSetPriority: 'kubernetes.azure.com/scalesetpriority',
} as const;

/**
 * Fixed resource names Tessera manages (deploy keeps kube-scheduler's NodeResourcesFit filter off them with
 * `ignoredResourceGroups`). MIG resources are open-ended (`tessera.io/mig-<profile>`); see
 * `tesseraResources()` in parse-gpu-request.ts for the list including every known MIG profile.
 */
export const TESSERA_BASE_RESOURCES: readonly string[] = [
  RESOURCE.nvidiaGpu,
  RESOURCE.gpu,
  RESOURCE.gpuMemory,
  RESOURCE.gpuCompute,
  RESOURCE.gpuReplica,
];
