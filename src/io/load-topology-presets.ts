import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PresetCatalog } from '../model/topology-preset.js';
import { buildPresetCatalog } from '../model/topology-preset.js';

/**
 * The repo's topology/presets directory, found by walking up from `from` (default: this module), so it
 * works from src/io (tsx, vitest) and from dist/src/io (after `tsc`).
 */
export function defaultPresetDir(from: string = import.meta.url): string {
  const start = dirname(fileURLToPath(from));
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'topology', 'presets');
    if (existsSync(join(candidate, 'index.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find topology/presets/index.json: searched upwards from "${start}"`);
  }
}

/**
 * Reads `index.json` and the preset files it names from `dir` and builds the catalog. Throws one error
 * listing every problem (path: message), since a broken preset directory is a startup configuration fault.
 */
export function loadTopologyPresets(dir: string = defaultPresetDir()): PresetCatalog {
  const root = resolve(dir);
  const indexPath = join(root, 'index.json');
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (err) {
    throw new Error(`cannot load topology presets from "${indexPath}": ${(err as Error).message}`, { cause: err });
  }
  const files: Record<string, string> = {};
  if (typeof index === 'object' && index !== null) {
    for (const entry of Object.values(index as Record<string, unknown>)) {
      const file = (entry as { file?: unknown } | null)?.file;
      // Only plain file names inside `dir`: the index must not reach elsewhere on disk.
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\') || file.startsWith('.')) continue;
      const path = join(root, file);
      if (existsSync(path)) files[file] = readFileSync(path, 'utf8');
    }
  }
  const catalog = buildPresetCatalog({ index, files });
  if (!catalog.ok) {
    const details = catalog.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new Error(`cannot load topology presets from "${root}": ${details}`);
  }
  return catalog.value;
}
