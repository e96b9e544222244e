import { deleteCustomCsr, getCustomCsr } from '@/lib/data/custom-csrs';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/** One custom CSR: its fields, PEM, parsed subject/SANs/key and the custom hostnames using its key. */
export const GET = route({ permission: 'customcsr:view', params: IdParams }, async ({ user, params }) => {
  const csr = await getCustomCsr(user, params.id);
  if (!csr) throw new AppError('NOT_FOUND', 'No such custom CSR.');
  return csr;
});

/** Deletes the CSR (and its key) at Cloudflare, then in certfleet; 409 KEY_IN_USE with `details.hostname` while a custom hostname uses the key. */
export const DELETE = route({ permission: 'customcsr:manage', params: IdParams }, ({ user, params }) => deleteCustomCsr(user, params.id));
