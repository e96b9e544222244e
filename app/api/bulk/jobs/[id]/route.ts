import { z } from 'zod';
import { getBulkJob } from '@/lib/data/bulk';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/** A job's progress; `?rows=1` adds each row's result. */
export const GET = route(
  { permission: 'device:enroll', params: IdParams, query: z.object({ rows: z.enum(['0', '1'], 'rows is 0 or 1.').optional() }) },
  ({ user, params, query }) => getBulkJob(user, params.id, { rows: query.rows === '1' }),
);
