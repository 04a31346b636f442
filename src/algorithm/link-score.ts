import type { GpuLink } from '../model/link-matrix.js';

/**
 * Pair score of one GPU-to-GPU link, as NVIDIA's go-gpuallocator besteffort policy scores it
 * (`calculateGPUPairScore`): 100 per bonded NVLink (NV12 -> 1200, NV18 -> 1800), else by the PCIe path:
 * PIX 50, PXB 40, PHB 30, NODE 20, SYS 10. The diagonal (`X`) scores 0.
 */
export function linkPairScore(link: GpuLink | undefined): number {
  if (link === undefined) return 0;
  switch (link.level) {
    case 'NV': return 100 * Math.max(1, link.bonds);
    case 'PIX': return 50;
    case 'PXB': return 40;
    case 'PHB': return 30;
    case 'NODE': return 20;
    case 'SYS': return 10;
    default: return 0;
  }
}

/**
 * Quality of one link on a 0..100 scale that is comparable across nodes: any NVLink 100, PIX 50, PXB 40,
 * PHB 30, NODE 20, SYS 10. Used by the topology score part (absolute, not relative to the node).
 */
export function linkQuality(link: GpuLink | undefined): number {
  if (link === undefined) return 0;
  return link.level === 'NV' ? 100 : linkPairScore(link);
}
