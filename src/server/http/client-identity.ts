import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { RequestError } from '../request-error.js';

/**
 * The identities a verified client certificate carries: its subject CN, and its DNS and URI subject
 * alternative names (as `getPeerCertificate()` reports them).
 */
export function certificateNames(cert: { subject?: { CN?: string | string[] }; subjectaltname?: string }): string[] {
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string') names.push(cn);
  else if (Array.isArray(cn)) names.push(...cn);
  // `DNS:a, URI:b, IP Address:c`; Node quotes (as JSON) a value that holds a comma or a quote.
  for (const m of (cert.subjectaltname ?? '').matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const [, kind, raw = ''] = m;
    if (kind !== 'DNS' && kind !== 'URI') continue;
    names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return names;
}

/**
 * With mutual TLS the handshake already refuses clients without a certificate signed by tlsClientCaFile. When
 * `allowed` is not empty, this also refuses (403, TESSERA_FORBIDDEN) a verified client none of whose names
 * (certificateNames) is in it. Judged once per connection.
 */
export function clientAuthorizer(allowed: readonly string[]): ((req: IncomingMessage) => void) | undefined {
  if (allowed.length === 0) return undefined;
  const set = new Set(allowed);
  const judged = new WeakMap<object, string[] | null>();
  return (req) => {
    const socket = req.socket as TLSSocket;
    let refusedNames = judged.get(socket);
    if (refusedNames === undefined) {
      const cert = typeof socket.getPeerCertificate === 'function' && socket.authorized === true ? socket.getPeerCertificate() : null;
      const names = cert === null ? [] : certificateNames(cert as never);
      refusedNames = names.some((n) => set.has(n)) ? null : names;
      judged.set(socket, refusedNames);
    }
    if (refusedNames !== null) {
      throw new RequestError('TESSERA_FORBIDDEN', `client ${refusedNames.length === 0 ? 'without a verified certificate' : `certificate ${JSON.stringify(refusedNames)}`} is not in tlsClientAllowedNames`);
    }
  };
}
