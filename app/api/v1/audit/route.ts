import { listAudit } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { route } from '@/lib/server/route';

const op = OPERATIONS.listAudit;
export const GET = route({ permission: 'audit:view', query: op.query }, ({ user, query }) => listAudit(user, query));
