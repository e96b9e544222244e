/**
 * Custom hostnames (Cloudflare for SaaS) and the managed CA's hostname associations (the hostnames
 * on which client certificates are requested: mTLS).
 * @see https://developers.cloudflare.com/api/resources/custom_hostnames/
 * @see https://developers.cloudflare.com/api/resources/certificate_authorities/subresources/hostname_associations/
 */
import 'server-only';
import type Cloudflare from 'cloudflare';
import { serialFromApi, toIssueDate, type Door } from './door';

export interface CustomHostnameInput {
  hostname: string;
  /** The custom CSR whose key the certificate was issued for (seed 004). */
  customCsrId?: string;
  /** PEM of the certificate (chain) signed by a publicly trusted CA. */
  customCertificate?: string;
  /** Only without customCsrId: the certificate's private key. */
  customKey?: string;
  customMetadata?: Record<string, string>;
}

export interface CustomHostname {
  id: string;
  hostname: string;
  status: string;
  createdAt: Date | null;
  ssl: {
    id: string | null;
    status: string | null;
    customCsrId: string | null;
    hosts: string[];
    issuer: string | null;
    /** Uppercase hex. */
    serialNumber: string | null;
    signature: string | null;
    expiresOn: Date | null;
    uploadedOn: Date | null;
  };
  customMetadata?: Record<string, string>;
}

type HostLike = Cloudflare.CustomHostnames.CustomHostnameGetResponse;

const toCustomHostname = (h: HostLike): CustomHostname => ({
  id: h.id,
  hostname: h.hostname,
  status: h.status ?? 'pending',
  createdAt: toIssueDate(h.created_at),
  ssl: {
    id: h.ssl?.id ?? null,
    status: h.ssl?.status ?? null,
    customCsrId: h.ssl?.custom_csr_id ?? null,
    hosts: h.ssl?.hosts ?? [],
    issuer: h.ssl?.issuer ?? null,
    serialNumber: serialFromApi(h.ssl?.serial_number),
    signature: h.ssl?.signature ?? null,
    expiresOn: toIssueDate(h.ssl?.expires_on),
    uploadedOn: toIssueDate(h.ssl?.uploaded_on),
  },
  ...(h.custom_metadata ? { customMetadata: h.custom_metadata as Record<string, string> } : {}),
});

export function customHostnames(door: Door) {
  const { sdk, zoneId: zone_id } = door;
  const R = 'custom hostname' as const;
  return {
    async createCustomHostname(input: CustomHostnameInput): Promise<CustomHostname> {
      const ssl: Cloudflare.CustomHostnames.CustomHostnameCreateParams.SSL = {};
      if (input.customCsrId) ssl.custom_csr_id = input.customCsrId;
      if (input.customCertificate) ssl.custom_certificate = input.customCertificate;
      if (input.customKey) ssl.custom_key = input.customKey;
      if (!input.customCertificate) Object.assign(ssl, { method: 'http', type: 'dv' });
      const created = await door.call('createCustomHostname', R, undefined, () =>
        sdk.customHostnames.create({ zone_id, hostname: input.hostname, ssl, ...(input.customMetadata ? { custom_metadata: input.customMetadata } : {}) }),
      );
      return toCustomHostname(created as HostLike);
    },

    async listCustomHostnames(opts: { hostname?: string } = {}): Promise<CustomHostname[]> {
      return door.call('listCustomHostnames', R, undefined, async () => {
        const out: CustomHostname[] = [];
        const params = { zone_id, per_page: 50, ...(opts.hostname ? { hostname: { exact: opts.hostname } } : {}) };
        for await (const h of sdk.customHostnames.list(params)) out.push(toCustomHostname(h as HostLike));
        return out;
      });
    },

    async getCustomHostname(id: string): Promise<CustomHostname> {
      return toCustomHostname(await door.call('getCustomHostname', R, id, () => sdk.customHostnames.get(id, { zone_id })));
    },

    async deleteCustomHostname(id: string): Promise<void> {
      await door.call('deleteCustomHostname', R, id, () => sdk.customHostnames.delete(id, { zone_id }));
    },

    /** Best effort, for a KEY_IN_USE message: the hostname whose certificate uses the custom CSR's key. */
    async findHostnameUsingCsr(csrId: string): Promise<string | undefined> {
      try {
        for await (const h of sdk.customHostnames.list({ zone_id, per_page: 50 })) {
          if (h.ssl?.custom_csr_id === csrId) return h.hostname;
        }
      } catch {
        // The 409 itself already says what is wrong.
      }
      return undefined;
    },
  };
}

export function hostnameAssociations(door: Door) {
  const { sdk, zoneId: zone_id } = door;
  const R = 'hostname associations' as const;
  return {
    /** Hostnames on which the zone's managed CA's client certificates are requested (mTLS). */
    async getHostnameAssociations(): Promise<string[]> {
      const r = await door.call('getHostnameAssociations', R, undefined, () => sdk.certificateAuthorities.hostnameAssociations.get({ zone_id }));
      return r.hostnames ?? [];
    },

    /** Replaces the list (PUT): pass every hostname that should require client certificates. */
    async updateHostnameAssociations(hostnames: string[]): Promise<string[]> {
      const r = await door.call('updateHostnameAssociations', R, undefined, () => sdk.certificateAuthorities.hostnameAssociations.update({ zone_id, hostnames }));
      return r.hostnames ?? [];
    },
  };
}
