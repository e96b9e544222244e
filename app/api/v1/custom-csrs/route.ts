import { customCsrOut, listCustomCsrs } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { createCustomCsr } from '@/lib/data/custom-csrs';
import { idempotent } from '@/lib/server/idempotency';
import { route } from '@/lib/server/route';

const list = OPERATIONS.listCustomCsrs;
export const GET = route({ permission: 'customcsr:view', query: list.query }, ({ user, query }) => listCustomCsrs(user, query));

const create = OPERATIONS.createCustomCsr;
export const POST = route({ permission: 'customcsr:manage', body: create.body }, ({ request, user, body }) =>
  idempotent(request, user, body, async () => ({ status: 201, body: customCsrOut(await createCustomCsr(user, body)) })),
);
