import { describe, expect, it } from 'vitest';
import { certificateNames } from './client-identity.js';

describe('certificateNames()', () => {
  it.each([
    ['a subject CN', { subject: { CN: 'kube-scheduler' } }, ['kube-scheduler']],
    ['DNS and URI SANs (IP SANs are not identities)', { subject: { CN: 'x' }, subjectaltname: 'DNS:kube-scheduler.tessera-system, URI:spiffe://cluster.local/ns/tessera-system/sa/tessera-scheduler, IP Address:127.0.0.1' },
      ['x', 'kube-scheduler.tessera-system', 'spiffe://cluster.local/ns/tessera-system/sa/tessera-scheduler']],
    ['a quoted SAN value', { subjectaltname: 'DNS:"a, b"' }, ['a, b']],
    ['several CNs', { subject: { CN: ['a', 'b'] } }, ['a', 'b']],
    ['nothing', {}, []],
  ])('%s', (_name, cert, names) => {
    expect(certificateNames(cert)).toEqual(names);
  });
});
