import { enroll, listDevices } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { idempotent } from '@/lib/server/idempotency';
import { route } from '@/lib/server/route';

const list = OPERATIONS.listDevices;
export const GET = route({ permission: 'device:view', query: list.query }, ({ user, query }) => listDevices(user, query));

const create = OPERATIONS.enrollDevice;
export const POST = route({ permission: 'device:enroll', body: create.body }, ({ request, user, body }) =>
  idempotent(request, user, body, () => enroll(user, body, request.headers.get('idempotency-key'))),
);
