import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { clientCertificateNames, isClientAllowed } from './client-certificate-names.js';

const cert = (cn: string | string[] | undefined, san: string | undefined): PeerCertificate => ({ subject: { CN: cn }, subjectaltname: san }) as unknown as PeerCertificate;

describe('clientCertificateNames', () => {
  it.each([
    ['CN and DNS/URI SANs, not IP addresses', cert('kube-scheduler', 'DNS:a.svc, URI:spiffe://c/ns/x, IP Address:127.0.0.1'), ['kube-scheduler', 'a.svc', 'spiffe://c/ns/x']],
    ['a value Node quotes because it holds a comma', cert(undefined, 'DNS:"odd,name", DNS:b'), ['odd,name', 'b']],
    ['several CNs', cert(['a', 'b'], undefined), ['a', 'b']],
    ['nothing', cert(undefined, undefined), []],
  ])('reads %s', (_name, c, names) => {
    expect(clientCertificateNames(c)).toEqual(names);
  });

  it('admits any certificate with no list, else one with a listed name', () => {
    const c = cert('kube-scheduler', 'DNS:a.svc');
    expect(isClientAllowed(c, [])).toBe(true);
    expect(isClientAllowed(c, ['a.svc'])).toBe(true);
    expect(isClientAllowed(c, ['other'])).toBe(false);
  });
});
