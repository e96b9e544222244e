import { listAlerts } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { route } from '@/lib/server/route';

const op = OPERATIONS.listAlerts;
export const GET = route({ permission: 'alerts:view', query: op.query }, ({ user, query }) => listAlerts(user, query));
