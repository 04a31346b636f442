import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One node row of `openb_node_list_*.csv`. */
export interface TraceNode {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly gpuCount: number;
  /** Trace GPU model (G1, G2, G3, T4, P100, V100M16, V100M32, A10), or '' for CPU-only nodes. */
  readonly model: string;
}

/** One pod row of `openb_pod_list_*.csv`, normalised per PROTOCOL §5.2. */
export interface TracePod {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly gpuCount: number;
  /** Per-GPU milli, clipped to 1000, 0 when `num_gpu` is 0. */
  readonly gpuMilli: number;
  /** Raw `gpu_spec` ('' = any model). */
  readonly gpuSpec: string;
  /** Scenarios only: the pod tolerates spot nodes. */
  readonly interruptible?: boolean;
  /** Scenarios only: topology need of a multi-GPU pod (default 'any'). */
  readonly topology?: 'nvlink-required' | 'nvlink-preferred' | 'numa' | 'any';
}

/** A loaded trace: its name (pod file stem without `openb_pod_list_`), nodes and pods. */
export interface Trace {
  readonly name: string;
  readonly nodes: readonly TraceNode[];
  readonly pods: readonly TracePod[];
}

function rows(text: string, file: string, required: readonly string[]): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  for (const col of required) {
    if (!header.includes(col)) throw new Error(`cannot read trace file "${file}": column "${col}" is missing`);
  }
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const row: Record<string, string> = {};
    header.forEach((h, i) => { row[h] = cells[i] ?? ''; });
    return row;
  });
}

function num(v: string | undefined): number {
  const n = Number(v);
  return v === undefined || v === '' || Number.isNaN(n) ? 0 : n;
}

/** Parses a node list CSV (`sn,cpu_milli,memory_mib,gpu,model`). */
export function parseNodeList(text: string, file = 'nodes.csv'): TraceNode[] {
  return rows(text, file, ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model']).map((r) => ({
    name: r['sn']!,
    cpuMilli: num(r['cpu_milli']),
    memoryMiB: num(r['memory_mib']),
    gpuCount: num(r['gpu']),
    model: r['model'] === 'nan' ? '' : (r['model'] ?? ''),
  }));
}

/** Parses a pod list CSV; timestamps, qos and phase are ignored (PROTOCOL §2.1). */
export function parsePodList(text: string, file = 'pods.csv'): TracePod[] {
  return rows(text, file, ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli']).map((r) => {
    const gpuCount = num(r['num_gpu']);
    const spec = r['gpu_spec'] ?? '';
    return {
      name: r['name']!,
      cpuMilli: num(r['cpu_milli']),
      memoryMiB: num(r['memory_mib']),
      gpuCount,
      gpuMilli: gpuCount === 0 ? 0 : Math.min(1000, num(r['gpu_milli'])),
      gpuSpec: spec === 'nan' ? '' : spec,
    };
  });
}

/** Reads a node list and a pod list from disk; the trace is named after the pod file. */
export function loadTrace(nodesFile: string, podsFile: string): Trace {
  const name = basename(podsFile).replace(/\.csv$/, '').replace(/^openb_pod_list_/, '');
  return {
    name,
    nodes: parseNodeList(readFileSync(nodesFile, 'utf8'), nodesFile),
    pods: parsePodList(readFileSync(podsFile, 'utf8'), podsFile),
  };
}
