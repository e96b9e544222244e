/**
 * Custom hostnames (Cloudflare for SaaS). With ssl.custom_csr_id + ssl.custom_certificate the certificate must be
 * for the CSR's key, chain to the emulated public CA and name the hostname; without one, DCV never completes locally.
 */
import { randomUUID } from 'node:crypto';
import { parseCertificateChain, type ParsedCertificate } from '@/lib/pki';
import { sha256Hex, webcrypto } from '@/lib/pki/crypto';
import { importPrivateKeyPem, publicKeyFromPrivate } from '@/lib/pki/keys';
import { isIssuedBy } from '@/lib/pki/verify';
import type { LoadedCa } from '../ca';
import type { EmulatorConfig } from '../config';
import * as E from '../errors';
import { hostnameProblem, hostnameRefusal, nameCovers } from '../hostnames';
import { recordById, UUID, type CustomHostnameRecord, type CustomHostnameSsl } from './records';
import type { ZoneState } from './state';

/** Issuer organisation without spaces and punctuation ("DigiCert Inc" → "DigiCertInc"), as custom hostname ssl.issuer shows it. */
function issuerTag(cert: ParsedCertificate): string {
  return (cert.issuer.O ?? cert.issuer.CN ?? '').replace(/[^A-Za-z0-9]/g, '');
}

export class CustomHostnames {
  constructor(
    private readonly state: ZoneState,
    private readonly publicCa: () => LoadedCa,
    private readonly config: () => EmulatorConfig,
  ) {}

  present(h: CustomHostnameRecord) {
    const now = Date.now();
    const active = h.active_at !== undefined && now >= h.active_at;
    const { custom_certificate: _cert, ...ssl } = h.ssl;
    void _cert;
    const sslStatus = h.ssl.custom_certificate ? (active ? 'active' : 'pending_deployment') : 'pending_validation';
    return {
      id: h.id,
      hostname: h.hostname,
      created_at: h.created_at,
      status: active ? 'active' : 'pending',
      ssl: { ...ssl, status: sslStatus, validation_records: [], validation_errors: [] },
      ...(h.custom_metadata ? { custom_metadata: h.custom_metadata } : {}),
      ...(h.custom_origin_server ? { custom_origin_server: h.custom_origin_server } : {}),
      ...(h.custom_origin_sni ? { custom_origin_sni: h.custom_origin_sni } : {}),
      ownership_verification: { type: 'txt', name: `_cf-custom-hostname.${h.hostname}`, value: h.ownership_token },
      ownership_verification_http: {
        http_url: `http://${h.hostname}/.well-known/cf-custom-hostname-challenge/${h.id}`,
        http_body: h.ownership_token,
      },
    };
  }

  /**
   * POST custom_hostnames. With ssl.custom_csr_id + ssl.custom_certificate the certificate must be
   * for the CSR's key and chain to the (emulated) public trust store; self-signed is refused.
   * @see ../shared/seeds/004 and https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/security/certificate-management/custom-certificates/certificate-signing-requests/
   */
  async create(body: Record<string, unknown>): Promise<CustomHostnameRecord> {
    const hostname = typeof body.hostname === 'string' ? body.hostname.trim().toLowerCase() : body.hostname;
    const problem = hostnameProblem(hostname);
    if (problem) throw hostnameRefusal(problem, hostname, E.host);
    const name = hostname as string;
    for (const h of this.state.hosts.values()) if (h.hostname === name) throw E.host.duplicate();

    const sslIn = body.ssl;
    if (sslIn === undefined || sslIn === null || typeof sslIn !== 'object' || Array.isArray(sslIn)) throw E.host.sslInvalid();
    const s = sslIn as Record<string, unknown>;
    const bundle = s.bundle_method ?? 'ubiquitous';
    if (bundle !== 'ubiquitous' && bundle !== 'optimal' && bundle !== 'force') throw E.host.badBundleMethod();
    const ssl: CustomHostnameSsl = {
      id: randomUUID(),
      type: 'dv',
      bundle_method: bundle,
      settings: typeof s.settings === 'object' && s.settings ? (s.settings as Record<string, unknown>) : {},
      wildcard: s.wildcard === true,
    };
    let activeAt: number | undefined;

    if (s.custom_certificate !== undefined || s.custom_csr_id !== undefined || s.custom_key !== undefined) {
      if (typeof s.custom_certificate !== 'string') throw E.host.sslInvalid();
      if (s.custom_certificate.trim() === '') throw E.host.certEmpty();
      let expectedSpki: string;
      if (s.custom_csr_id !== undefined) {
        if (typeof s.custom_csr_id !== 'string' || !UUID.test(s.custom_csr_id)) throw E.host.csrIdInvalid();
        const csrRec = this.state.csrs.get(s.custom_csr_id);
        if (!csrRec) throw E.host.csrNotFound();
        expectedSpki = csrRec.spkiSha256;
        ssl.custom_csr_id = csrRec.id;
      } else {
        if (typeof s.custom_key !== 'string') throw E.host.sslInvalid();
        try {
          const key = await importPrivateKeyPem(s.custom_key);
          expectedSpki = await sha256Hex(await webcrypto.subtle.exportKey('spki', await publicKeyFromPrivate(key)));
        } catch {
          throw E.host.keyUnparsable();
        }
      }
      const leaf = await this.checkCustomCertificate(s.custom_certificate, name);
      if (leaf.spkiSha256 !== expectedSpki) throw E.host.keyMismatch();
      Object.assign(ssl, {
        hosts: leaf.sans.length ? leaf.sans : [leaf.subject.CN ?? name],
        issuer: issuerTag(leaf),
        serial_number: BigInt(`0x${leaf.serialNumber}`).toString(10),
        signature: leaf.signatureAlgorithm,
        uploaded_on: new Date().toISOString(),
        expires_on: leaf.notAfter.toISOString(),
        custom_certificate: leaf.pem,
      });
      activeAt = Date.now() + this.config().hostnameActivationDelayMs;
    } else {
      const method = s.method ?? 'http';
      if (method !== 'http' && method !== 'txt' && method !== 'email') throw E.host.sslInvalid();
      ssl.method = method;
    }

    const meta = body.custom_metadata;
    const record: CustomHostnameRecord = {
      id: randomUUID(),
      seq: this.state.nextSeq(),
      hostname: name,
      created_at: new Date().toISOString(),
      ssl,
      ownership_token: randomUUID(),
      ...(meta && typeof meta === 'object' && !Array.isArray(meta) ? { custom_metadata: meta as Record<string, string> } : {}),
      ...(typeof body.custom_origin_server === 'string' ? { custom_origin_server: body.custom_origin_server } : {}),
      ...(typeof body.custom_origin_sni === 'string' ? { custom_origin_sni: body.custom_origin_sni } : {}),
      active_at: activeAt,
    };
    this.state.record({ t: 'host', v: record });
    return record;
  }

  /** The leaf of an uploaded chain, after Cloudflare's checks on it (parse, trust, hostname, algorithm). */
  private async checkCustomCertificate(pem: string, hostname: string): Promise<ParsedCertificate> {
    let chain: ParsedCertificate[];
    try {
      chain = await parseCertificateChain(pem);
    } catch {
      throw E.host.certUnparsable();
    }
    // A lone certificate is the leaf even if it says CA:TRUE (openssl req -x509 does), so a
    // self-signed upload is refused for trust (1441), as Cloudflare words it, not as "no leaf".
    const leaves = chain.length === 1 ? chain : chain.filter((c) => !c.isCa);
    if (leaves.length === 0) throw E.host.noLeaf();
    if (leaves.length > 1) throw E.host.multipleLeaves();
    const leaf = leaves[0];
    if (!['SHA256WithRSA', 'ECDSAWithSHA256', 'SHA1WithRSA'].includes(leaf.signatureAlgorithm)) throw E.host.unsupportedSignature();
    // The emulated "public trust store" holds one root: the public CA. Self-signed or foreign certificates fail here.
    if (!(await isIssuedBy(leaf.pem, this.publicCa().cert))) throw E.host.untrusted();
    const names = leaf.sanEntries.filter((n) => n.type === 'dns').map((n) => n.value);
    if (!(names.length ? names : [leaf.subject.CN ?? '']).some((n) => nameCovers(n, hostname))) throw E.host.hostnameNotInCert(hostname);
    return leaf;
  }

  get(id: string): CustomHostnameRecord {
    return recordById(this.state.hosts, id, E.host);
  }

  list(): CustomHostnameRecord[] {
    return [...this.state.hosts.values()].sort((a, b) => a.seq - b.seq);
  }

  delete(id: string): void {
    this.get(id);
    this.state.record({ t: 'host-del', id });
  }
}
