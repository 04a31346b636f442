import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of the extender's mutual TLS: a CA, Tessera's serving certificate, and client certificates it signed. */
export interface ExtenderPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** kube-scheduler's client certificate (CN kube-scheduler, DNS SAN kube-scheduler.tessera-system). */
  readonly schedulerCert: string;
  readonly schedulerKey: string;
  /** A client the same CA signed under another name (not allowed to call the verbs). */
  readonly intruderCert: string;
  readonly intruderKey: string;
  /** The name Tessera allows (tlsClientAllowedNames). */
  readonly schedulerName: string;
}

/** Makes the PKI with the machine's openssl (as cert-manager or an operator would, once). */
export function makeExtenderPki(dir: string): ExtenderPki {
  mkdirSync(dir, { recursive: true });
  const f = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=tessera-extender-ca');
  const leaf = (name: string, cn: string, san: string, usage: string): void => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(f(`${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${usage}\n`);
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`));
  };
  leaf('tessera', 'tessera', 'IP:127.0.0.1,DNS:localhost', 'serverAuth');
  leaf('kube-scheduler', 'kube-scheduler', 'DNS:kube-scheduler.tessera-system', 'clientAuth');
  leaf('intruder', 'intruder', 'DNS:intruder.example', 'clientAuth');
  return {
    dir, caCert: f('ca.crt'), serverCert: f('tessera.crt'), serverKey: f('tessera.key'),
    schedulerCert: f('kube-scheduler.crt'), schedulerKey: f('kube-scheduler.key'),
    intruderCert: f('intruder.crt'), intruderKey: f('intruder.key'), schedulerName: 'kube-scheduler.tessera-system',
  };
}

/** The PEM text of a PKI file. */
export const pem = (path: string): Buffer => readFileSync(path);
