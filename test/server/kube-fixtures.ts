/**
 * Bodies exactly as kube-scheduler sends them (k8s.io/kube-scheduler/extender/v1, encoding/json, no json tags):
 * PascalCase envelope, `null` for the unused pointer, full core/v1 objects as the scheduler's informer cache
 * holds them (managedFields stripped).
 */

/** Options of `kubePod`. */
export interface PodSpecOptions {
  readonly name: string;
  readonly uid: string;
  readonly namespace?: string;
  readonly requests?: Record<string, string>;
  readonly limits?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly priority?: number;
  readonly tolerations?: object[];
}

/** A pending core/v1 Pod as kube-scheduler serializes it. */
export function kubePod(o: PodSpecOptions): Record<string, unknown> {
  return {
    metadata: {
      name: o.name,
      namespace: o.namespace ?? 'default',
      uid: o.uid,
      resourceVersion: '4711',
      creationTimestamp: '2026-11-22T15:00:00Z',
      labels: { app: o.name },
      annotations: o.annotations ?? null,
    },
    spec: {
      volumes: null,
      containers: [{
        name: 'main',
        image: 'nvcr.io/nvidia/pytorch:24.05-py3',
        resources: { requests: { cpu: '1', memory: '2Gi', ...o.requests }, limits: o.limits ?? { ...o.requests } },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      securityContext: {},
      schedulerName: 'tessera-scheduler',
      tolerations: o.tolerations ?? [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: o.priority ?? 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** `ExtenderArgs` with nodeCacheCapable: true. */
export function namesArgs(pod: object, names: readonly string[]): object {
  return { Pod: pod, Nodes: null, NodeNames: [...names] };
}

/** `ExtenderArgs` with nodeCacheCapable: false. */
export function nodesArgs(pod: object, nodes: readonly object[]): object {
  return { Pod: pod, Nodes: { metadata: {}, items: [...nodes] }, NodeNames: null };
}

/** `ExtenderBindingArgs`. */
export function bindArgs(pod: { metadata: { name: string; namespace?: string; uid: string } } | Record<string, unknown>, node: string): object {
  const meta = (pod as { metadata: { name: string; namespace?: string; uid: string } }).metadata;
  return { PodName: meta.name, PodNamespace: meta.namespace ?? 'default', PodUID: meta.uid, Node: node };
}

/**
 * A full core/v1 Node as the scheduler's cache holds it: the fleet node's labels and allocatable plus what a
 * real kubelet reports (conditions, addresses, nodeInfo, 50 images), so body sizes are realistic.
 */
export function realisticNode(base: { metadata?: object; status?: object } & Record<string, unknown>): Record<string, unknown> {
  const meta = (base.metadata ?? {}) as Record<string, unknown>;
  const status = (base.status ?? {}) as Record<string, unknown>;
  const name = String(meta.name);
  const images = Array.from({ length: 50 }, (_, i) => ({
    names: [
      `registry.example.com/team-${i % 7}/image-${i}@sha256:${'0123456789abcdef'.repeat(4)}`,
      `registry.example.com/team-${i % 7}/image-${i}:v1.${i}.0`,
    ],
    sizeBytes: 100_000_000 + i * 1_234_567,
  }));
  const t = '2026-11-22T15:00:00Z';
  return {
    metadata: {
      ...meta,
      creationTimestamp: '2026-11-01T00:00:00Z',
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'nvidia.com/cuda.driver.major': '550', 'nvidia.com/cuda.driver.minor': '90', 'nvidia.com/cuda.driver.rev': '07',
        'nvidia.com/cuda.runtime.major': '12', 'nvidia.com/cuda.runtime.minor': '4', 'nvidia.com/gfd.timestamp': '1732287600',
        'nvidia.com/gpu.compute.major': '9', 'nvidia.com/gpu.compute.minor': '0', 'nvidia.com/gpu.family': 'hopper',
        'nvidia.com/gpu.machine': 'p5.48xlarge', 'nvidia.com/gpu.replicas': '1', 'nvidia.com/gpu.sharing-strategy': 'none',
        'nvidia.com/mig.capable': 'true', 'nvidia.com/mps.capable': 'false', 'nvidia.com/gpu.present': 'true',
        'feature.node.kubernetes.io/cpu-cpuid.AVX512F': 'true', 'feature.node.kubernetes.io/kernel-version.full': '6.8.0-1019-aws',
        'feature.node.kubernetes.io/pci-10de.present': 'true', 'feature.node.kubernetes.io/system-os_release.ID': 'ubuntu',
        ...(meta.labels as Record<string, string> | undefined),
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'nfd.node.kubernetes.io/feature-labels': 'cpu-cpuid.AVX512F,kernel-version.full,pci-10de.present,system-os_release.ID',
        ...(meta.annotations as Record<string, string> | undefined),
      },
    },
    spec: { providerID: `aws:///us-east-1a/i-0${name.replace(/[^0-9a-f]/g, '').padEnd(16, 'a')}`, podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] },
    status: {
      ...status,
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
        type, status: 'False', lastHeartbeatTime: t, lastTransitionTime: t, reason: `KubeletHasNo${type}`, message: `kubelet has no ${type}`,
      })).concat([{ type: 'Ready', status: 'True', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletReady', message: 'kubelet is posting ready status' }]),
      addresses: [{ type: 'InternalIP', address: '10.0.3.17' }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: 'ec2a3b4c5d6e7f8091a2b3c4d5e6f708', systemUUID: 'ec2a3b4c-5d6e-7f80-91a2-b3c4d5e6f708',
        bootID: '5f1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9', kernelVersion: '6.8.0-1019-aws', osImage: 'Ubuntu 22.04.4 LTS',
        containerRuntimeVersion: 'containerd://1.7.12', kubeletVersion: 'v1.35.0', kubeProxyVersion: 'v1.35.0',
        operatingSystem: 'linux', architecture: 'amd64',
      },
      images,
    },
  };
}
