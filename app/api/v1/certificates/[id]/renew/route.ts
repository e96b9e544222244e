import { renew } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { idempotent } from '@/lib/server/idempotency';
import { route } from '@/lib/server/route';

const op = OPERATIONS.renewCertificate;
export const POST = route({ permission: 'certificate:issue', params: op.params, body: op.body }, ({ request, user, params, body }) =>
  idempotent(request, user, { id: params.id, ...body }, () => renew(user, params.id, body, request.headers.get('idempotency-key'))),
);
