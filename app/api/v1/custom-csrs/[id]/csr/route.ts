import { OPERATIONS } from '@/lib/api/v1/operations';
import { customCsrFileResponse } from '@/lib/server/custom-csr-file';
import { route } from '@/lib/server/route';

const op = OPERATIONS.downloadCustomCsr;
export const GET = route({ permission: 'customcsr:view', params: op.params }, ({ user, params }) => customCsrFileResponse(user, params.id));
