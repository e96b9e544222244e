import { retryFailedRows } from '@/lib/data/bulk';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/** Puts the job's failed rows back in the queue (each keeps its intent, so none is issued twice). */
export const POST = route({ permission: 'device:enroll', params: IdParams }, ({ user, params }) => retryFailedRows(user, params.id));
