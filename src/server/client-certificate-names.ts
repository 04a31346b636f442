import type { PeerCertificate } from 'node:tls';

/** The names a client certificate goes by: its subject CN and its DNS and URI subject alternative names. */
export function clientCertificateNames(cert: PeerCertificate): string[] {
  const names: string[] = [];
  const cn: unknown = cert.subject?.CN;
  if (typeof cn === 'string') names.push(cn);
  else if (Array.isArray(cn)) for (const n of cn) if (typeof n === 'string') names.push(n);
  // `DNS:a, URI:b, IP Address:c`; Node quotes (as JSON) a value that holds a comma or a quote.
  for (const m of (cert.subjectaltname ?? '').matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const [, kind, raw = ''] = m;
    if (kind !== 'DNS' && kind !== 'URI') continue;
    names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return names;
}

/**
 * True when the client certificate may call (config `tlsClientAllowedNames`): an empty list admits every
 * certificate the client CA signed; otherwise one of the certificate's names must be listed.
 */
export function isClientAllowed(cert: PeerCertificate, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return clientCertificateNames(cert).some((name) => allowed.includes(name));
}
