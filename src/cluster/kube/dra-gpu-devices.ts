import { bytesToMiB, parseQuantity } from '../../model/quantity.js';

/** Driver name of NVIDIA's DRA driver (k8s-dra-driver-gpu). */
export const NVIDIA_DRA_DRIVER = 'gpu.nvidia.com';

/** Structural subset of a `resource.k8s.io/v1` ResourceSlice that Tessera reads. */
export interface ResourceSliceLike {
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string } | null;
  readonly spec?: {
    readonly driver?: string;
    readonly nodeName?: string | null;
    readonly pool?: { readonly name?: string; readonly generation?: number } | null;
    readonly devices?: readonly DeviceLike[] | null;
  } | null;
}

/** Structural subset of a ResourceSlice device (v1: attributes and capacity sit on the device itself). */
export interface DeviceLike {
  readonly name?: string;
  readonly attributes?: Readonly<Record<string, DeviceAttributeLike>> | null;
  readonly capacity?: Readonly<Record<string, { readonly value?: string | number }>> | null;
  readonly consumesCounters?: readonly unknown[] | null;
}

/** One DRA attribute value: exactly one of the four is set. */
export interface DeviceAttributeLike {
  readonly string?: string;
  readonly int?: number;
  readonly bool?: boolean;
  readonly version?: string;
}

/** A MIG instance the driver publishes as a device ("static MIG"). */
export interface DraMigDevice {
  readonly device: string;
  readonly uuid: string;
  readonly profile: string;
  /** Placement on the 8-slice memory axis, from the `memorySlice<i>` capacities. */
  readonly start: number;
  readonly size: number;
}

/** A physical GPU as the NVIDIA DRA driver publishes it on one node. */
export interface DraGpu {
  /** Device name, `gpu-<minor>`. */
  readonly device: string;
  /** Minor number from the device name, or null when the name has another form. */
  readonly minor: number | null;
  readonly uuid: string;
  /** `productName` attribute as the driver writes it, e.g. `NVIDIA H100 80GB HBM3`. */
  readonly productName: string;
  /** `memory` capacity in MiB (0 when absent). */
  readonly memoryMiB: number;
  /** Pre-created MIG instances on this GPU, by placement start. */
  readonly mig: readonly DraMigDevice[];
  /** True when the driver publishes possible MIG placements as counter-consuming partitions (dynamic MIG). */
  readonly dynamicMig: boolean;
}

/**
 * Reads the GPUs and MIG devices that `driver` publishes for `nodeName` from ResourceSlices (k8s 1.34+).
 * Slices of other drivers or nodes are ignored; GPUs come back sorted by minor (then name). Pure.
 *
 * The driver's own attributes may be written bare (`type`) or qualified with its domain
 * (`gpu.nvidia.com/type`); both are accepted.
 */
export function draGpusFromSlices(
  slices: readonly ResourceSliceLike[],
  nodeName: string,
  driver: string = NVIDIA_DRA_DRIVER,
): DraGpu[] {
  const devices: DeviceLike[] = [];
  for (const slice of slices) {
    const spec = slice.spec;
    if (spec?.driver !== driver || spec.nodeName !== nodeName) continue;
    devices.push(...(spec.devices ?? []));
  }
  const attr = (d: DeviceLike, key: string): DeviceAttributeLike | undefined =>
    d.attributes?.[key] ?? d.attributes?.[`${driver}/${key}`];
  const str = (d: DeviceLike, key: string): string => attr(d, key)?.string ?? '';

  const gpus = new Map<string, { gpu: Omit<DraGpu, 'mig' | 'dynamicMig'>; mig: DraMigDevice[]; partitions: boolean }>();
  const migs: { parent: string; dev: DraMigDevice; partition: boolean }[] = [];
  for (const d of devices) {
    const type = str(d, 'type');
    const name = d.name ?? '';
    if (type === 'gpu') {
      const uuid = str(d, 'uuid') || `${nodeName}-${name}`;
      const m = /^gpu-(\d+)$/.exec(name);
      gpus.set(uuid, {
        gpu: {
          device: name,
          minor: m === null ? null : Number(m[1]),
          uuid,
          productName: str(d, 'productName'),
          memoryMiB: capacityMiB(d),
        },
        mig: [],
        partitions: false,
      });
    } else if (type === 'mig') {
      const slicesUsed = Object.keys(d.capacity ?? {})
        .map((k) => /(?:^|\/)memorySlice(\d+)$/.exec(k))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
      const fromName = /-(\d+)$/.exec(name);
      const start = slicesUsed[0] ?? (fromName === null ? 0 : Number(fromName[1]));
      migs.push({
        parent: str(d, 'parentUUID'),
        partition: (d.consumesCounters?.length ?? 0) > 0,
        dev: { device: name, uuid: str(d, 'uuid'), profile: str(d, 'profile'), start, size: Math.max(slicesUsed.length, 1) },
      });
    }
  }
  for (const { parent, dev, partition } of migs) {
    const entry = gpus.get(parent);
    if (entry === undefined) continue;
    if (partition) entry.partitions = true;
    else entry.mig.push(dev);
  }
  return [...gpus.values()]
    .map(({ gpu, mig, partitions }) => ({
      ...gpu,
      mig: mig.sort((a, b) => a.start - b.start),
      dynamicMig: partitions,
    }))
    .sort((a, b) => (a.minor ?? Infinity) - (b.minor ?? Infinity) || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}

function capacityMiB(d: DeviceLike): number {
  const raw = d.capacity?.memory?.value ?? d.capacity?.[`${NVIDIA_DRA_DRIVER}/memory`]?.value;
  if (raw === undefined) return 0;
  const q = parseQuantity(raw);
  return q.ok ? (bytesToMiB(q.value, 'floor') ?? 0) : 0;
}
