/**
 * Custom CSRs: Cloudflare makes (and keeps) the key; the CSR goes to the customer's CA (seed 004).
 * @see https://developers.cloudflare.com/api/resources/custom_csrs/
 */
import 'server-only';
import type Cloudflare from 'cloudflare';
import { normalizePemText } from '@/lib/pki/pem';
import { toIssueDate, type Door } from './door';
import { CloudflareError } from './errors';

export type CustomCsrKeyType = 'rsa2048' | 'p256v1';

export interface CustomCsrInput {
  commonName: string;
  /** Should include the common name; at least one. */
  sans: string[];
  country: string;
  state: string;
  locality: string;
  organization: string;
  organizationalUnit?: string;
  /** Default rsa2048 (Cloudflare's default). */
  keyType?: CustomCsrKeyType;
  name?: string;
  description?: string;
}

export interface CustomCsr extends Omit<CustomCsrInput, 'keyType'> {
  id: string;
  createdAt: Date;
  keyType: CustomCsrKeyType;
  /** PEM to hand to the customer's CA. */
  csrPem: string;
}

const toCustomCsr = (c: Cloudflare.CustomCsrs.CustomCsrGetResponse): CustomCsr => ({
  id: c.id,
  createdAt: toIssueDate(c.created_at) ?? new Date(0),
  keyType: c.key_type,
  commonName: c.common_name ?? '',
  sans: c.sans ?? [],
  country: c.country ?? '',
  state: c.state ?? '',
  locality: c.locality ?? '',
  organization: c.organization ?? '',
  ...(c.organizational_unit ? { organizationalUnit: c.organizational_unit } : {}),
  ...(c.name ? { name: c.name } : {}),
  ...(c.description ? { description: c.description } : {}),
  csrPem: c.csr ? `${normalizePemText(c.csr)}\n` : '',
});

export function customCsrs(door: Door, findHostnameUsingCsr: (csrId: string) => Promise<string | undefined>) {
  const { sdk, zoneId: zone_id } = door;
  const R = 'custom CSR' as const;
  return {
    async createCustomCsr(input: CustomCsrInput): Promise<CustomCsr> {
      const created = await door.call('createCustomCsr', R, undefined, () =>
        sdk.customCsrs.create({
          zone_id,
          common_name: input.commonName,
          sans: input.sans,
          country: input.country,
          state: input.state,
          locality: input.locality,
          organization: input.organization,
          ...(input.organizationalUnit ? { organizational_unit: input.organizationalUnit } : {}),
          key_type: input.keyType ?? 'rsa2048',
          ...(input.name ? { name: input.name } : {}),
          ...(input.description ? { description: input.description } : {}),
        }),
      );
      return toCustomCsr(created);
    },

    async listCustomCsrs(): Promise<CustomCsr[]> {
      return door.call('listCustomCsrs', R, undefined, async () => {
        const out: CustomCsr[] = [];
        for await (const c of sdk.customCsrs.list({ zone_id, per_page: 50 })) out.push(toCustomCsr(c));
        return out;
      });
    },

    async getCustomCsr(id: string): Promise<CustomCsr> {
      return toCustomCsr(await door.call('getCustomCsr', R, id, () => sdk.customCsrs.get(id, { zone_id })));
    },

    /** Refused with KEY_IN_USE (and the hostname, when found) while a custom hostname uses the key. */
    async deleteCustomCsr(id: string): Promise<void> {
      try {
        await sdk.customCsrs.delete(id, { zone_id });
      } catch (e) {
        const mapped = door.fail(e, 'deleteCustomCsr', R, id);
        if (mapped.code !== 'KEY_IN_USE') throw mapped;
        const hostname = await findHostnameUsingCsr(id);
        throw new CloudflareError(
          'KEY_IN_USE',
          hostname ? `The custom CSR's key is still used by the custom hostname ${hostname}; delete that hostname first.` : mapped.message,
          { status: mapped.status, cloudflareErrors: mapped.cloudflareErrors, operation: 'deleteCustomCsr', hostname },
        );
      }
    },
  };
}
