/**
 * The container image of `npm run image` (scripts/image/build-image.sh): reproducible (two builds of the same
 * tree give the same digest, the docker-archive byte for byte), and locked down (non-root user, no shell or
 * package manager, production dependencies only). The scheduling suite runs Tessera from this image.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness/local-cluster.js';
import { ensureTesseraImage } from './harness/tessera-image.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-image-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(out: string): string {
  return execFileSync(join(REPO_ROOT, 'scripts', 'image', 'build-image.sh'), { env: { ...process.env, TESSERA_IMAGE_OUT: out }, stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim();
}
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('the Tessera image', () => {
  it('is reproducible: two builds of the same tree give the same digest and the same docker-archive', () => {
    const a = build(join(dir, 'a'));
    const b = build(join(dir, 'b'));
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toBe(a);
    const tar = `tessera-${pkg.version}.docker.tar`;
    expect(sha256(join(dir, 'b', tar))).toBe(sha256(join(dir, 'a', tar)));
    const index = JSON.parse(readFileSync(join(dir, 'a', 'oci', 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests.map((m) => [m.digest, m.annotations['org.opencontainers.image.ref.name']])).toEqual([[a, `tessera:${pkg.version}`]]);
  }, 10 * 60_000);

  it('runs node as a non-root user, with no shell and no package manager, and production dependencies only', async () => {
    const image = await ensureTesseraImage();
    expect(image.uid).toBe(65532);
    expect(image.gid).toBe(65532);
    expect(image.args).toEqual(['/usr/local/bin/node', '/app/dist/src/main.js', 'serve']);
    const root = image.rootfs;
    for (const absent of ['bin/sh', 'bin/bash', 'usr/bin/sh', 'bin/busybox', 'usr/bin/apt', 'usr/bin/dpkg', 'usr/bin/npm', 'usr/local/bin/npm', 'var/lib/dpkg']) {
      expect(existsSync(join(root, absent)), absent).toBe(false);
    }
    expect(readdirSync(root).sort()).toEqual(['app', 'etc', 'lib', 'lib64', 'tmp', 'usr']);
    const modules = join(root, 'app', 'node_modules');
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(modules, dep)), dep).toBe(true);
    // npm's record of what it installed: nothing only the development tools need.
    const installed = JSON.parse(readFileSync(join(modules, '.package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    expect(Object.entries(installed.packages).filter(([, p]) => p.dev === true).map(([name]) => name)).toEqual([]);
    for (const tool of ['typescript', 'vitest', 'eslint', 'tsx', 'fast-check', 'light-my-request']) expect(existsSync(join(modules, tool)), tool).toBe(false);
    expect(existsSync(join(root, 'app', 'topology', 'presets', 'index.json'))).toBe(true);
    // Nothing in the image is writable by its user (symbolic links aside: their mode means nothing).
    const writable = execFileSync('find', [root, '-xdev', '!', '-type', 'l', '(', '-perm', '-o+w', '-o', '-user', String(image.uid), ')', '!', '-path', join(root, 'tmp'), '-print']).toString().trim();
    expect(writable).toBe('');
    // The entrypoint runs from the unpacked root alone, as its user.
    const version = execFileSync('chroot', [`--userspec=${String(image.uid)}:${String(image.gid)}`, root, '/usr/local/bin/node', '--version'], { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin' } }).toString().trim();
    expect(version).toMatch(/^v20\./);
  }, 10 * 60_000);
});
