import { customCsrFileResponse } from '@/lib/server/custom-csr-file';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/** The CSR as a `.csr` file (lib/server/custom-csr-file.ts). */
export const GET = route({ permission: 'customcsr:view', params: IdParams }, ({ user, params }) => customCsrFileResponse(user, params.id));
