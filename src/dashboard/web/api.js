// @ts-check
/** The dashboard's data endpoints, relative to /dashboard/ so the page works under any mount point. */

/** @typedef {[string, string, number, number, number | null, number, number, number]} NodeRow name, product, gpus, spot (0/1), pricePerGpu, allocated, stranded, pods */

/**
 * @typedef {object} FleetGroup
 * @property {string} product
 * @property {'spot' | 'on-demand'} capacityType
 * @property {number} nodes
 * @property {number} gpus
 * @property {number} allocated
 * @property {number} stranded
 */

/**
 * @typedef {object} Fleet
 * @property {number} nodes
 * @property {number} gpus
 * @property {number} allocated
 * @property {number} idle
 * @property {number} stranded
 * @property {number} allocatedCostPerHour
 * @property {FleetGroup[]} groups
 */

/**
 * @typedef {object} PendingPod
 * @property {string} namespace
 * @property {string} name
 * @property {string} uid
 * @property {string} message
 * @property {string} firstReported
 * @property {string} lastReported
 * @property {number} reports
 */

/**
 * @typedef {object} DashboardState
 * @property {number} version
 * @property {boolean} full
 * @property {string} cluster
 * @property {boolean} synced
 * @property {string} time
 * @property {string} currency
 * @property {Fleet} fleet
 * @property {number} podsHolding
 * @property {NodeRow[]} nodes
 * @property {string[]} removed
 * @property {number} pendingTotal
 * @property {number} pendingVersion
 * @property {PendingPod[] | null} pending null when unchanged since the version the request named
 */

/**
 * @typedef {object} DashboardHistory
 * @property {number} window
 * @property {string} currency
 * @property {{ t: number[], gpus: number[], allocated: number[], idle: number[], stranded: number[] }} fleet
 * @property {{ step: number, t: number[], namespaces: string[], perHour: number[][] }} cost
 */

/**
 * @typedef {object} Device
 * @property {number} gpuIndex position in the node's GPU list
 * @property {string} gpuUuid
 * @property {'whole' | 'share' | 'replica' | 'mig'} kind
 * @property {number} memoryMiB
 * @property {number} computeMilli
 * @property {number} [replicas]
 * @property {{ profile: string, start: number, size: number }} [mig]
 */

/**
 * @typedef {object} NodePod
 * @property {string} uid
 * @property {string} namespace
 * @property {string} name
 * @property {string} phase
 * @property {number} priority
 * @property {boolean} counted
 * @property {number} gpuEquivalents
 * @property {{ devices: Device[] } | null} allocation
 */

/**
 * @typedef {object} NodeGpu
 * @property {number} index
 * @property {string} uuid
 * @property {string} product
 * @property {number} memoryMiB
 * @property {number} computeMilli
 * @property {{ mode: string, replicas?: number, layout?: unknown }} sharing
 * @property {number | null} numaNode
 * @property {{ key: string, value: string, effect: string }[]} taints
 */

/**
 * @typedef {object} NodeDetail
 * @property {number} version
 * @property {string} name
 * @property {string} capacityType
 * @property {number | null} hourlyPrice
 * @property {string | null} instanceType
 * @property {string | null} zone
 * @property {string} topologySource
 * @property {NodeGpu[]} gpus
 * @property {string[][]} links
 * @property {NodePod[]} pods
 * @property {{ allocated: number, idle: number, stranded: number, pricePerGpu: number | null }} summary
 */

export const API = {
  /**
   * @param {number | null} since cache version of the page's node rows
   * @param {number | null} pending version of the page's pending pods
   */
  state: (since, pending) => {
    const q = [since === null ? '' : `since=${since}`, pending === null ? '' : `pending=${pending}`].filter((x) => x !== '').join('&');
    return `../api/v1/dashboard/state${q === '' ? '' : `?${q}`}`;
  },
  /** @param {string} window */
  history: (window) => `../api/v1/dashboard/history?window=${encodeURIComponent(window)}`,
  /** @param {string} name */
  node: (name) => `../api/v1/dashboard/nodes/${encodeURIComponent(name)}`,
};

/**
 * GETs JSON; rejects with the server's `Error` text on a non-2xx answer.
 * @template T
 * @param {string} url
 * @param {AbortSignal} [signal]
 * @returns {Promise<T>}
 */
export async function getJson(url, signal) {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' }, cache: 'no-store' });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body && typeof body.Error === 'string' ? body.Error : `${url}: HTTP ${res.status}`);
  return /** @type {T} */ (body);
}
