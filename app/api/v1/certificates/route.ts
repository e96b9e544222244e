import { listCertificates } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { route } from '@/lib/server/route';

const op = OPERATIONS.listCertificates;
export const GET = route({ permission: 'certificate:view', query: op.query }, ({ user, query }) => listCertificates(user, query));
