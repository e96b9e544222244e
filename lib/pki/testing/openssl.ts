/**
 * Test support (Node only): ask the real openssl what it thinks of a file, so tests compare
 * certfleet's parsing with the tool people use, not with itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = process.env.OPENSSL_BIN ?? '/usr/bin/openssl';

export function openssl(args: string[], input?: string | Uint8Array): string {
  return execFileSync(OPENSSL, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface OpensslIds {
  serial: string;
  ski: string | null;
  aki: string | null;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

/** serial/SKI/AKI/SHA-256 fingerprint/dates exactly as `openssl x509` prints them, normalised only by removing colons. */
export function opensslCertIds(pem: string): OpensslIds {
  const out = openssl(
    ['x509', '-noout', '-serial', '-ext', 'subjectKeyIdentifier,authorityKeyIdentifier', '-fingerprint', '-sha256', '-dates'],
    pem,
  );
  const serial = /serial=([0-9A-F]+)/.exec(out)?.[1];
  const fp = /SHA256 Fingerprint=([0-9A-F:]+)/i.exec(out)?.[1];
  const ski = /X509v3 Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(out)?.[1];
  // OpenSSL 3.0 prints "keyid:AB:CD…" (or only the hex on newer releases).
  const aki = /X509v3 Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(out)?.[1];
  const nb = /notBefore=(.+)/.exec(out)?.[1];
  const na = /notAfter=(.+)/.exec(out)?.[1];
  if (!serial || !fp || !nb || !na) throw new Error(`unexpected openssl output:\n${out}`);
  return {
    serial,
    ski: ski ? ski.replace(/:/g, '').toLowerCase() : null,
    aki: aki ? aki.replace(/:/g, '').toLowerCase() : null,
    fingerprintSha256: fp.replace(/:/g, '').toLowerCase(),
    notBefore: new Date(nb),
    notAfter: new Date(na),
  };
}

/** Runs `openssl verify -CAfile ca.pem cert.pem`; returns openssl's output (throws when it fails). */
export function opensslVerify(caPem: string, certPem: string, extraArgs: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'certfleet-verify-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), caPem);
    writeFileSync(join(dir, 'cert.pem'), certPem);
    return openssl(['verify', ...extraArgs, '-CAfile', join(dir, 'ca.pem'), join(dir, 'cert.pem')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh CSR made by `openssl req` (the way device makers do it). */
export function opensslCsr(opts: { subj: string; san?: string; key?: 'rsa:2048' | 'rsa:1024' | 'p256' }): { csrPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'certfleet-req-'));
  try {
    const keyArgs = opts.key === 'p256' || !opts.key ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', opts.key];
    const args = ['req', '-new', ...keyArgs, '-nodes', '-keyout', join(dir, 'k.pem'), '-subj', opts.subj];
    if (opts.san) args.push('-addext', `subjectAltName=${opts.san}`);
    const csrPem = openssl([...args, '-out', '-']);
    return { csrPem, keyPem: openssl(['pkey', '-in', join(dir, 'k.pem')]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh CSR made the seed's way: `cfssl genkey csr.json | cfssljson -bare`. */
export function cfsslCsr(cn: string, algo: 'rsa' | 'ecdsa' = 'rsa'): { csrPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'certfleet-cfssl-'));
  try {
    const csrJson = {
      hosts: [cn],
      CN: cn,
      key: algo === 'rsa' ? { algo: 'rsa', size: 2048 } : { algo: 'ecdsa', size: 256 },
      names: [{ C: 'US', L: 'Austin', O: 'Temperature Testers, Inc.', OU: 'Tech Operations', ST: 'Texas' }],
    };
    writeFileSync(join(dir, 'csr.json'), JSON.stringify(csrJson));
    execFileSync('sh', ['-c', 'cfssl genkey csr.json 2>/dev/null | cfssljson -bare certificate'], { cwd: dir });
    return {
      csrPem: readFileSync(join(dir, 'certificate.csr'), 'utf8'),
      keyPem: readFileSync(join(dir, 'certificate-key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
