import { customCsrDetailOut } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { deleteCustomCsr, getCustomCsr } from '@/lib/data/custom-csrs';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/server/route';

const get = OPERATIONS.getCustomCsr;
export const GET = route({ permission: 'customcsr:view', params: get.params }, async ({ user, params }) => {
  const csr = await getCustomCsr(user, params.id);
  if (!csr) throw new AppError('NOT_FOUND', 'No such custom CSR.');
  return customCsrDetailOut(csr);
});

const remove = OPERATIONS.deleteCustomCsr;
export const DELETE = route({ permission: 'customcsr:manage', params: remove.params }, ({ user, params }) => deleteCustomCsr(user, params.id));
