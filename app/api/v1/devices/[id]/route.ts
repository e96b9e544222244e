import { getDevice } from '@/lib/api/v1/data';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { route } from '@/lib/server/route';

const op = OPERATIONS.getDevice;
export const GET = route({ permission: 'device:view', params: op.params }, ({ user, params }) => getDevice(user, params.id));
