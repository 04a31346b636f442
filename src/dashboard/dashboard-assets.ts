import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard serves. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Strong validator: a hash of the body. */
  readonly etag: string;
}

/** The dashboard's files by their path under `/dashboard/` (`index.html`, `app.js`, `vendor/preact.module.js`). */
export interface DashboardAssets {
  readonly files: ReadonlyMap<string, DashboardAsset>;
  /** Content-Security-Policy of the page: its own origin only, plus the hash of its inline import map. */
  readonly contentSecurityPolicy: string;
}

/**
 * The browser libraries, served unmodified from the installed packages (`dependencies` in package.json, so they
 * ship with Tessera; no CDN): path under /dashboard/vendor/ -> package and file inside it.
 */
export const VENDOR_FILES: Readonly<Record<string, { readonly pkg: string; readonly file: string }>> = Object.freeze({
  'preact.module.js': { pkg: 'preact', file: 'dist/preact.module.js' },
  'hooks.module.js': { pkg: 'preact', file: 'hooks/dist/hooks.module.js' },
  'htm.module.js': { pkg: 'htm', file: 'dist/htm.module.js' },
  'uPlot.esm.js': { pkg: 'uplot', file: 'dist/uPlot.esm.js' },
  'uPlot.min.css': { pkg: 'uplot', file: 'dist/uPlot.min.css' },
});

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The page's sources, `src/dashboard/web/`, found by walking up from this module (it runs from src/ under tsx and
 * from dist/src/ when built; the package ships src/ either way).
 */
export function defaultWebDir(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    for (const candidate of [join(dir, 'web'), join(dir, 'src', 'dashboard', 'web')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the dashboard's files (src/dashboard/web/index.html): searched upwards from "${fileURLToPath(from)}"`);
    dir = dirname(dir);
  }
}

/** Reads the page's files and the vendored libraries once; throws naming the file that is missing. */
export function loadDashboardAssets(webDir: string = defaultWebDir()): DashboardAssets {
  const files = new Map<string, DashboardAsset>();
  for (const name of readdirSync(webDir).sort()) {
    const path = join(webDir, name);
    if (!statSync(path).isFile()) continue;
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type !== undefined) files.set(name, asset(readFileSync(path), type));
  }
  const require = createRequire(import.meta.url);
  for (const [name, { pkg, file }] of Object.entries(VENDOR_FILES)) {
    const path = join(packageDir(require, pkg), file);
    if (!existsSync(path)) throw new Error(`cannot serve the dashboard: "${file}" is missing from the installed package "${pkg}" (${path}); run npm ci`);
    files.set(`vendor/${name}`, asset(readFileSync(path), TYPES[name.slice(name.lastIndexOf('.'))] as string));
  }
  const index = files.get('index.html');
  if (index === undefined) throw new Error(`cannot serve the dashboard: index.html is missing from ${webDir}`);
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(index.body.toString('utf8'))?.[1];
  if (importMap === undefined) throw new Error(`cannot serve the dashboard: ${join(webDir, 'index.html')} has no inline import map`);
  const mapHash = createHash('sha256').update(importMap).digest('base64');
  const contentSecurityPolicy = [
    "default-src 'self'", `script-src 'self' 'sha256-${mapHash}'`, "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'",
  ].join('; ');
  return { files, contentSecurityPolicy };
}

function asset(body: Buffer, contentType: string): DashboardAsset {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** The directory of an installed package (its package.json need not be exported). */
function packageDir(require: NodeJS.Require, pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the directory of the installed package "${pkg}"`);
    dir = dirname(dir);
  }
}
