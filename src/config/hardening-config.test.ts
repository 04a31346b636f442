import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, ENV_VARS, FLAGS } from './config-schema.js';
import { loadConfig } from './load-config.js';

describe('configuration of listening, limits and mutual TLS', () => {
  it('listens for the verbs on loopback and for operators on a port apart, by default', () => {
    expect(DEFAULT_CONFIG).toMatchObject({ host: '127.0.0.1', port: 8888, opsHost: '0.0.0.0', opsPort: 8889 });
  });

  it('reads the allowed client names as a comma-separated list from the environment and flags', () => {
    const base = ['--tls-cert-file', 'c.pem', '--tls-key-file', 'k.pem', '--tls-client-ca-file', 'ca.pem'];
    const fromEnv = loadConfig({ argv: base, env: { TESSERA_TLS_CLIENT_ALLOWED_NAMES: 'kube-scheduler, spiffe://x/sched' } });
    expect(fromEnv.ok && fromEnv.config.tlsClientAllowedNames).toEqual(['kube-scheduler', 'spiffe://x/sched']);
    const fromFlag = loadConfig({ argv: [...base, '--tls-client-allowed-names', 'a,b'], env: {} });
    expect(fromFlag.ok && fromFlag.config).toMatchObject({ tlsClientCaFile: 'ca.pem', tlsClientAllowedNames: ['a', 'b'] });
  });

  it.each([
    ['a client CA without HTTPS', ['--tls-client-ca-file', 'ca.pem'], 'tlsClientCaFile', /mutual TLS needs HTTPS/],
    ['allowed names without a client CA', ['--tls-cert-file', 'c', '--tls-key-file', 'k', '--tls-client-allowed-names', 'a'], 'tlsClientAllowedNames', /need mutual TLS/],
    ['a request timeout of zero', ['--request-timeout-seconds', '0'], 'requestTimeoutSeconds', /too small|>0/],
    ['a headers timeout longer than the request timeout', ['--headers-timeout-seconds', '20'], 'headersTimeoutSeconds', /must not exceed requestTimeoutSeconds \(10\)/],
    ['a negative per-node body allowance', ['--body-bytes-per-node=-1'], 'bodyBytesPerNode', /too small|>=0/],
  ])('refuses %s', (_name, argv, path, message) => {
    const r = loadConfig({ argv, env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.find((e) => e.path === path)?.message).toMatch(message);
  });

  it('documents every flag and environment variable in docs/service.md', () => {
    const doc = readFileSync('docs/service.md', 'utf8');
    for (const flag of Object.keys(FLAGS)) expect(doc, flag).toContain(`\`--${flag}\``);
    for (const env of Object.keys(ENV_VARS)) expect(doc, env).toContain(`\`${env}\``);
  });
});
