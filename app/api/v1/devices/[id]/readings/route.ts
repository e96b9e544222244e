import { OPERATIONS } from '@/lib/api/v1/operations';
import { getDeviceReadings } from '@/lib/data/readings';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/server/route';

const op = OPERATIONS.getDeviceSeries;
export const GET = route({ permission: 'readings:view', params: op.params, query: op.query }, async ({ params, query }) => {
  const view = await getDeviceReadings(params.id, query.range, new Date(), { widthSeconds: query.widthSeconds });
  if (!view) throw new AppError('NOT_FOUND', 'No such device.');
  return view;
});
