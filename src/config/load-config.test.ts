import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config-schema.js';
import { formatConfigErrors, loadConfig } from './load-config.js';

const files: Record<string, string> = {
  'good.yaml': 'port: 7000\nlogLevel: debug\nurlPrefix: /ext/\n',
  'bad.yaml': 'assumeTtlSeconds: -1\nprot: 80\ntracing: jaeger\n',
  'list.yaml': '- 1\n- 2\n',
  'broken.yaml': 'port: [1,\n',
};
const readFile = (p: string): string => {
  const text = files[p];
  if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
  return text;
};

describe('loadConfig()', () => {
  it('returns the defaults when nothing is given', () => {
    const r = loadConfig({ argv: [], env: {}, readFile });
    expect(r).toEqual({ ok: true, config: DEFAULT_CONFIG, positionals: [] });
  });

  it('applies file < env < flags, and drops a trailing slash of the prefix', () => {
    const r = loadConfig({ argv: ['--config', 'good.yaml', '--port', '9000'], env: { TESSERA_PORT: '8000', TESSERA_LOG_LEVEL: 'warn' }, readFile });
    expect(r.ok && r.config).toMatchObject({ port: 9000, logLevel: 'warn', urlPrefix: '/ext' });
  });

  it('reports every bad field by path with its value and origin', () => {
    const r = loadConfig({ argv: ['--config', 'bad.yaml', '--log-level', 'loud'], env: { TESSERA_PORT: 'eighty' }, readFile });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatConfigErrors(r.errors);
    expect(text).toMatch(/invalid configuration: port: .*\(got "eighty" from env TESSERA_PORT\)/);
    expect(text).toMatch(/invalid configuration: logLevel: .*\(got "loud" from --log-level\)/);
    expect(text).toMatch(/invalid configuration: assumeTtlSeconds: .*\(got -1 from file "bad.yaml"\)/);
    expect(text).toMatch(/invalid configuration: tracing: .*\(got "jaeger"/);
    expect(text).toMatch(/prot/);
    expect(r.errors.length).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['an unknown flag', ['--bogus', '1'], 'flags', /bogus/],
    ['a missing config file', ['--config', 'nope.yaml'], '--config', /cannot read config file "nope.yaml"/],
    ['a config file that is a list', ['--config', 'list.yaml'], '--config', /must hold a mapping of fields, got a list/],
    ['a config file that is not YAML', ['--config', 'broken.yaml'], '--config', /cannot parse config file "broken.yaml"/],
    ['a cluster that is not a known kind', ['--cluster', 'mesos'], 'cluster', /must be "auto", "kube", "sim" or "sim:<fleet file>"/],
    ['a port out of range', ['--port', '70000'], 'port', /70000/],
    ['a prefix that is not a path', ['--url-prefix', 'scheduler'], 'urlPrefix', /must be a path/],
  ])('reports %s', (_name, argv, path, message) => {
    const r = loadConfig({ argv, env: {}, readFile });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const issue = r.errors.find((e) => e.path === path);
    expect(issue?.message).toMatch(message);
  });

  it('reads the preemption and job-group settings from env and flags, and refuses bad ones by path', () => {
    const ok = loadConfig({ argv: ['--node-capacity', 'node-agent', '--group-wait-seconds', '5'], env: { TESSERA_PREEMPTION_HOLD_SECONDS: '90' }, readFile });
    expect(ok.ok && ok.config).toMatchObject({ nodeCapacity: 'node-agent', groupWaitSeconds: 5, preemptionHoldSeconds: 90 });
    const bad = loadConfig({ argv: ['--node-capacity', 'kubelet', '--group-wait-seconds', '120'], env: {}, readFile });
    expect(bad.ok).toBe(false);
    const text = bad.ok ? '' : formatConfigErrors(bad.errors);
    expect(text).toContain('invalid configuration: nodeCapacity: Invalid option: expected one of "publish"|"node-agent" (got "kubelet" from --node-capacity)');
    expect(text).toContain('invalid configuration: groupWaitSeconds:');
  });

  it('accepts the documented example file docs/examples/tessera.yaml', () => {
    const r = loadConfig({ argv: ['--config', 'docs/examples/tessera.yaml'], env: {}, readFile: (p) => readFileSync(p, 'utf8') });
    expect(r.ok ? r.config.cluster : r.errors).toBe('sim:docs/examples/fleet.yaml');
  });
});
