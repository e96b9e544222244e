import { getCertificate } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { route } from '@/lib/server/route';

const op = OPERATIONS.getCertificate;
export const GET = route({ permission: 'certificate:view', params: op.params }, ({ user, params }) => getCertificate(user, params.id));
