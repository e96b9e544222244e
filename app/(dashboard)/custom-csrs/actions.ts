'use server';

import { createCustomCsr, deleteCustomCsr, reconcileCustomCsrsNow, uploadCustomCertificate } from '@/lib/data/custom-csrs';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';
import { CustomCsrSchema, DeleteCustomCsrSchema, UploadCertificateSchema } from '@/lib/validation/custom-csr';
import { CUSTOM_CSR_FIELDS, type CustomCsrField, type UploadCertificateField } from '@/lib/validation/custom-csr-constants';

// Every action is a public POST endpoint: action() checks the permission first, whatever the page that
// renders its form has already checked. SUPPORT and MANAGER only view.

export type CreateCustomCsrState = ActionState<CustomCsrField>;
export type UploadCertificateState = ActionState<UploadCertificateField>;
export type CustomCsrChangeState = ActionState<'id'>;

export const createCustomCsrAction = action(
  {
    permission: 'customcsr:manage',
    schema: CustomCsrSchema,
    fields: CUSTOM_CSR_FIELDS,
    revalidate: ['/custom-csrs'],
  },
  async (input, { user }) => {
    const created = await createCustomCsr(user, input);
    return { message: `Custom CSR ${created.commonName} created.`, redirectTo: `/custom-csrs/${created.id}` };
  },
);

export const uploadCertificateAction = action(
  {
    permission: 'customcsr:manage',
    schema: UploadCertificateSchema,
    fields: ['hostname', 'certificate'],
    revalidate: (input) => [`/custom-csrs/${input.id}`, '/custom-csrs'],
  },
  async (input, { user }) => {
    const host = await uploadCustomCertificate(user, input);
    const expiry = host.expiresOn ? ` It expires on ${host.expiresOn.toISOString().slice(0, 10)}.` : '';
    return { message: `Custom hostname ${host.hostname} created at Cloudflare (${host.sslStatus.replaceAll('_', ' ')}).${expiry}` };
  },
);

export const deleteCustomCsrAction = action(
  { permission: 'customcsr:manage', schema: DeleteCustomCsrSchema, revalidate: ['/custom-csrs'] },
  async (input, { user }) => {
    const deleted = await deleteCustomCsr(user, input.id);
    return { message: `Deleted the custom CSR ${deleted.commonName}.`, redirectTo: '/custom-csrs?deleted=1' };
  },
);

export const reconcileCustomCsrsAction = action({ permission: 'customcsr:manage', revalidate: [['/custom-csrs', 'layout']] }, async (_input, { user }) => {
  const s = await reconcileCustomCsrsNow(user);
  const changes = [
    s.csrsImported && `${s.csrsImported} CSR${s.csrsImported === 1 ? '' : 's'} imported`,
    s.csrsRemoved && `${s.csrsRemoved} CSR${s.csrsRemoved === 1 ? '' : 's'} removed`,
    s.hostnamesImported && `${s.hostnamesImported} hostname${s.hostnamesImported === 1 ? '' : 's'} imported`,
    s.hostnamesUpdated && `${s.hostnamesUpdated} hostname${s.hostnamesUpdated === 1 ? '' : 's'} updated`,
    s.hostnamesRemoved && `${s.hostnamesRemoved} hostname${s.hostnamesRemoved === 1 ? '' : 's'} removed`,
  ].filter(Boolean);
  return { message: changes.length ? `Reconciled with Cloudflare: ${changes.join(', ')}.` : 'Reconciled with Cloudflare: certfleet already matched.' };
});
