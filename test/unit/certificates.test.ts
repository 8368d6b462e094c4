import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { makeCertificates } from '../support/certificates.js';

// The test certificate authority (test/support/certificates.ts) must give OpenSSL valid DER every
// time: a random serial once made ~1 run in 128 fail with "illegal padding".
describe('makeCertificates', () => {
  it('issues a server certificate the CA verifies, with a minimal positive serial, every time', () => {
    for (let i = 0; i < 400; i++) {
      const { ca, cert } = makeCertificates();
      const authority = new X509Certificate(ca);
      const server = new X509Certificate(cert);
      expect(server.verify(authority.publicKey)).toBe(true);
      expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
      for (const serial of [authority.serialNumber, server.serialNumber])
        expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });
});
