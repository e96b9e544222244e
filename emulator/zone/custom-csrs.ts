/**
 * Custom CSRs (Cloudflare for SaaS): the key is made here and never leaves; a CSR is refused deletion
 * while a custom hostname's certificate uses its key.
 * @see ../shared/cloudflare-api/custom-csrs.json
 */
import { randomUUID } from 'node:crypto';
import { parseCsr } from '@/lib/pki';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '@/lib/pki/keys';
import * as E from '../errors';
import { hostnameProblem, hostnameRefusal } from '../hostnames';
import { recordById, type CustomCsrRecord } from './records';
import type { ZoneState } from './state';

export class CustomCsrs {
  constructor(private readonly state: ZoneState) {}

  present(c: CustomCsrRecord) {
    const out: Record<string, unknown> = {
      id: c.id,
      created_at: c.created_at,
      key_type: c.key_type,
      common_name: c.common_name,
      country: c.country,
      state: c.state,
      locality: c.locality,
      organization: c.organization,
      sans: c.sans,
      csr: c.csr,
    };
    if (c.organizational_unit !== undefined) out.organizational_unit = c.organizational_unit;
    if (c.name !== undefined) out.name = c.name;
    if (c.description !== undefined) out.description = c.description;
    return out;
  }

  /**
   * POST custom_csrs with the documented validation; the key is made here and never returned.
   * @see ../shared/cloudflare-api/custom-csrs.json
   */
  async create(body: Record<string, unknown>): Promise<CustomCsrRecord> {
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : undefined);
    const country = str('country');
    if (!country) throw E.csr.countryRequired();
    if (!/^[A-Za-z]{2}$/.test(country)) throw E.csr.countryInvalid();
    const state = str('state');
    if (!state) throw E.csr.stateRequired();
    const locality = str('locality');
    if (!locality) throw E.csr.localityRequired();
    const organization = str('organization');
    if (!organization) throw E.csr.organizationRequired();
    const commonName = str('common_name');
    if (!commonName) throw E.csr.commonNameRequired();
    // RFC 5280 ub-common-name: 64.
    if (commonName.length > 64) throw E.csr.commonNameTooLong(64);
    const sans = body.sans;
    if (!Array.isArray(sans) || sans.length === 0) throw E.csr.sanRequired();
    for (const san of sans) {
      if (typeof san === 'string' && san.length > 255) throw E.csr.san.invalid();
      const problem = hostnameProblem(san);
      if (problem) throw hostnameRefusal(problem, san, E.csr.san);
    }
    const keyType = body.key_type ?? 'rsa2048';
    if (keyType !== 'rsa2048' && keyType !== 'p256v1') throw E.csr.keyTypeInvalid();
    const ou = str('organizational_unit');
    const keys = await generateKeyPair(keyType === 'rsa2048' ? { algorithm: 'RSA', rsaBits: 2048 } : { algorithm: 'EC' });
    const csrPem = await createCsr({
      keys,
      subject: { C: country.toUpperCase(), ST: state, L: locality, O: organization, OU: ou || undefined, CN: commonName },
      sans: sans as string[],
    });
    const parsed = await parseCsr(csrPem);
    const record: CustomCsrRecord = {
      id: randomUUID(),
      seq: this.state.nextSeq(),
      created_at: new Date().toISOString(),
      key_type: keyType,
      common_name: commonName,
      country: country.toUpperCase(),
      state,
      locality,
      organization,
      ...(ou ? { organizational_unit: ou } : {}),
      sans: sans as string[],
      csr: csrPem,
      ...(typeof body.name === 'string' ? { name: body.name } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      private_key: await exportPrivateKeyPem(keys.privateKey),
      spkiSha256: parsed.spkiSha256,
    };
    this.state.record({ t: 'csr', v: record });
    return record;
  }

  get(id: string): CustomCsrRecord {
    return recordById(this.state.csrs, id, E.csr);
  }

  list(order: 'name' | 'account_tag' | 'created_at' = 'created_at', direction: 'asc' | 'desc' = 'asc'): CustomCsrRecord[] {
    const key = (c: CustomCsrRecord): string | number => (order === 'name' ? (c.name ?? c.common_name) : c.seq);
    const list = [...this.state.csrs.values()].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : a.seq - b.seq;
    });
    return direction === 'desc' ? list.reverse() : list;
  }

  /** Refused (409, 1420) while a custom hostname's certificate uses the CSR's key. */
  delete(id: string): void {
    this.get(id);
    for (const h of this.state.hosts.values()) if (h.ssl.custom_csr_id === id) throw E.csr.inUse();
    this.state.record({ t: 'csr-del', id });
  }
}
