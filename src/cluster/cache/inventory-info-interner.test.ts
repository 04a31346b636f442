import { describe, expect, it } from 'vitest';
import { inventoryInfo, inventoryInfoKey } from '../../algorithm/inventory-info.js';
import { makeNodeState } from '../../algorithm/node-state.js';
import { reserve, unreserve } from '../../algorithm/reserve.js';
import { BRIDGE_PAIRS_4, gpu, matrix, node, uniformLinks } from '../../algorithm/test-fixtures.js';
import type { Allocation } from '../../model/allocation.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import { InventoryInfoInterner } from './inventory-info-interner.js';

const whole = (inv: NodeInventory, gpus: number[]): Allocation => ({
  node: inv.name, cpuMilli: 0, memoryMiB: 0,
  devices: gpus.map((i) => ({ gpuIndex: i, gpuUuid: inv.gpus[i]?.uuid ?? '', kind: 'whole' as const, memoryMiB: inv.gpus[i]?.memoryMiB ?? 0, computeMilli: 1000 })),
});

/** A state as makeNodeState builds it alone (no sharing), for comparison. */
const plain = (inv: NodeInventory): ReturnType<typeof makeNodeState> => makeNodeState(inv);

describe('InventoryInfoInterner', () => {
  it('idleState() shares one info and one set of idle parts between nodes of one structure', () => {
    const interner = new InventoryInfoInterner();
    const a = interner.idleState(node('a', { hourlyPrice: 98, zone: 'z1' }));
    const b = interner.idleState(node('b', { hourlyPrice: 12, zone: 'z2', capacityType: 'on-demand' }));
    expect(b.info).toBe(a.info);
    expect(b.idle).toBe(a.idle);
    expect(b.gpuKeys).toBe(a.gpuKeys);
    expect(b.usage).toBe(a.usage);
    expect(b.signature).toBe(a.signature);
    expect(interner.size).toBe(1);
  });

  it('idleState() equals the state makeNodeState builds alone, field by field, but the inventory and price', () => {
    const interner = new InventoryInfoInterner();
    interner.idleState(node('first', { hourlyPrice: 3 }));
    const inv = node('second', { hourlyPrice: 40 });
    const { inventory: _i, ...shared } = interner.idleState(inv);
    const { inventory: _j, ...alone } = plain(inv);
    expect(shared).toEqual(alone);
  });

  it.each([
    ['another product', node('x', { product: 'A100-80GB' })],
    ['another link matrix', node('x', { count: 4, links: BRIDGE_PAIRS_4 })],
    ['a GPU tainted', node('x', { gpus: Array.from({ length: 8 }, (_, i) => gpu(i, { uuid: `x-gpu${i}`, ...(i === 3 ? { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' as const }] } : {}) })) })],
    ['another sharing mode', node('x', { sharing: { mode: 'exclusive' } })],
    ['spot capacity', node('x', { capacityType: 'spot' })],
    ['host capacity counted', node('x', { cpuMilli: 96000, memoryMiB: 1024 })],
    ['an asymmetric link below the diagonal', node('x', { links: uniformLinks(8, 'NV18').map((row, i) => (i === 5 ? row.map((l, j) => (j === 2 ? { level: 'SYS' as const, bonds: 0 } : l)) : row)) })],
  ])('a node with %s gets its own info, equal to inventoryInfo of it', (_, other) => {
    const interner = new InventoryInfoInterner();
    const base = interner.idleState(node('base'));
    const state = interner.idleState(other);
    expect(inventoryInfoKey(other)).not.toBe(inventoryInfoKey(node('base')));
    expect(state.info).not.toBe(base.info);
    expect(state.info).toEqual(inventoryInfo(other));
    expect(state.signature).toBe(plain(other).signature);
    expect(interner.size).toBe(2);
  });

  it('a reserve on one node leaves every other node of the structure idle, and unreserve gives equal parts back', () => {
    const interner = new InventoryInfoInterner();
    const a = interner.idleState(node('a'));
    const b = interner.idleState(node('b'));
    const before = { idle: [...b.idle], gpuKeys: [...b.gpuKeys], usage: structuredClone(b.usage), signature: b.signature };
    const r = reserve(a, whole(a.inventory, [0, 1]));
    expect(r.status.code).toBe('success');
    expect(r.node.freeWholeCount).toBe(6);
    expect(r.node.signature).not.toBe(a.signature);
    // The shared parts did not change: b (and a's old state) still read as idle.
    expect({ idle: [...b.idle], gpuKeys: [...b.gpuKeys], usage: b.usage, signature: b.signature }).toEqual(before);
    expect(b.freeWholeCount).toBe(8);
    expect(a.freeWholeCount).toBe(8);
    const back = unreserve(r.node, whole(a.inventory, [0, 1]));
    expect(back.signature).toBe(a.signature);
    expect([...back.idle]).toEqual([...a.idle]);
  });

  it('a node whose inventory changes gets the parts of its new structure; the old structure stays as it was', () => {
    const interner = new InventoryInfoInterner();
    const a = interner.idleState(node('a'));
    const b = interner.idleState(node('b'));
    const changed = interner.idleState(node('b', { links: matrix(Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 'X' : 'SYS')).join(' '))) }));
    expect(changed.info).not.toBe(a.info);
    expect(changed.info.nvAdj.every((m) => m === 0)).toBe(true);
    expect(a.info.maxNvCliqueWholeable).toBe(8);
    expect(b.info).toBe(a.info);
    expect(b.info).toEqual(inventoryInfo(node('a')));
  });
});
