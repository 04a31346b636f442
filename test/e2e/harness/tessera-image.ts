import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './local-cluster.js';

/** What the image's config says to run, and where its unpacked root filesystem is. */
export interface UnpackedImage {
  /** The image's manifest digest (`sha256:…`). */
  readonly digest: string;
  readonly rootfs: string;
  /** Entrypoint + Cmd. */
  readonly args: readonly string[];
  readonly uid: number;
  readonly gid: number;
  readonly cwd: string;
  /** `KEY=value` lines of the image's Env. */
  readonly env: readonly string[];
}

/** Files that go into the image: a change to any of them means a new image (tests and docs do not). */
function imageInputs(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testdata') walk(path);
      } else if (!/\.(test|bench)\.ts$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  walk(join(REPO_ROOT, 'topology'));
  walk(join(REPO_ROOT, 'scripts', 'image'));
  for (const f of ['Containerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) files.push(join(REPO_ROOT, f));
  return files.sort();
}

/** A digest of every input of the image (paths, modes and contents) and of SOURCE_DATE_EPOCH. */
export function imageInputDigest(): string {
  const hash = createHash('sha256');
  hash.update(`SOURCE_DATE_EPOCH=${process.env.SOURCE_DATE_EPOCH ?? '0'}\n`);
  for (const file of imageInputs()) {
    hash.update(`${relative(REPO_ROOT, file)}\0${(statSync(file).mode & 0o111) !== 0 ? 'x' : '-'}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${String(code)}`))));
  });
}

/** Image builds kept in the cache (older ones are removed): the lead's, a helper's and one spare. */
const KEEP_BUILDS = 3;

/**
 * The Tessera image of this source tree, unpacked: built with `npm run image` (scripts/image/build-image.sh) and
 * unpacked with umoci, both cached under `~/.cache/tessera/image/builds/<digest of the inputs>`, so a run whose
 * source is unchanged reuses it and a run after any change to src/, package*.json, topology/ or the image
 * scripts builds anew. One build at a time (flock).
 */
export async function ensureTesseraImage(): Promise<UnpackedImage> {
  const root = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tessera', 'image', 'builds');
  const dir = join(root, imageInputDigest());
  const ready = join(dir, 'ready');
  if (!existsSync(ready)) {
    mkdirSync(root, { recursive: true });
    const lock = join(root, '.lock');
    // build-image.sh replaces `out`; umoci unpacks into `bundle`. Under the lock, re-check: another run may have built it.
    const script = `test -f '${ready}' || { ` + [
      `rm -rf '${dir}' && mkdir -p '${dir}'`,
      `TESSERA_IMAGE_OUT='${join(dir, 'out')}' '${join(REPO_ROOT, 'scripts', 'image', 'build-image.sh')}' >/dev/null`,
      `umoci unpack --image '${join(dir, 'out', 'oci')}:tessera:${imageTag()}' '${join(dir, 'bundle')}' >/dev/null`,
      `touch '${ready}'`,
    ].join(' && ') + '; }';
    await run('flock', [lock, 'bash', '-c', script]);
    prune(root);
  }
  const config = JSON.parse(readFileSync(join(dir, 'bundle', 'config.json'), 'utf8')) as {
    process: { args: string[]; user: { uid: number; gid: number }; cwd: string; env: string[] };
  };
  return {
    digest: readFileSync(join(dir, 'out', 'digest'), 'utf8').trim(),
    rootfs: join(dir, 'bundle', 'rootfs'),
    args: config.process.args,
    uid: config.process.user.uid,
    gid: config.process.user.gid,
    cwd: config.process.cwd,
    env: config.process.env,
  };
}

/** The image tag: package.json's version. */
export function imageTag(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function prune(root: string): void {
  const builds = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, e.name));
  builds.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of builds.slice(KEEP_BUILDS)) rmSync(old, { recursive: true, force: true });
}

/**
 * The command that runs the image's entrypoint as its user, the way a kubelet would: in a mount namespace of
 * its own, the root filesystem bound read-only (readOnlyRootFilesystem), `volume` mounted at /tmp/tessera (the
 * image's only mount point; files there must be readable by the image's user), then chroot with the user's
 * uid:gid. `extraArgs` follow the image's Cmd. Needs root, as a kubelet does.
 */
export function imageCommand(image: UnpackedImage, volume: string, extraArgs: readonly string[]): { command: string; args: string[] } {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const rootfs = image.rootfs;
  const script = [
    `mount --bind ${q(rootfs)} ${q(rootfs)}`,
    `mount -o remount,bind,ro ${q(rootfs)}`,
    `mount -t tmpfs -o size=1m,mode=1777 tmpfs ${q(join(rootfs, 'tmp'))}`,
    `mkdir -p ${q(join(rootfs, 'tmp', 'tessera'))}`,
    `mount --bind -o ro ${q(volume)} ${q(join(rootfs, 'tmp', 'tessera'))}`,
    `cd /`,
    `exec chroot --userspec=${String(image.uid)}:${String(image.gid)} ${q(rootfs)} ${[...image.args, ...extraArgs].map(q).join(' ')}`,
  ].join(' && ');
  return { command: 'unshare', args: ['--mount', '--propagation', 'private', 'sh', '-c', script] };
}

/** Copies `files` into a fresh directory readable by the image's user (a Secret volume's stand-in). */
export function imageVolume(dir: string, files: Readonly<Record<string, string | Buffer>>): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o444 });
  return dir;
}
