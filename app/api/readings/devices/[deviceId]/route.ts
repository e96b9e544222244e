import { NextResponse } from 'next/server';
import { getDeviceReadings } from '@/lib/data/readings';
import { AppError } from '@/lib/errors';
import { ReadingsQuerySchema } from '@/lib/readings/ranges';
import { route } from '@/lib/server/route';
import { DeviceIdParams } from '@/lib/validation/route-params';

/**
 * GET /api/readings/devices/<id>?range=90d | from=…&to=… — the device chart's data: at most ~1,000 buckets
 * (t = bucket start in ms, min/max/avg/count), the range's true min/max, limits, certificate markers, flags.
 */
export const GET = route({ permission: 'readings:view', params: DeviceIdParams, query: ReadingsQuerySchema }, async ({ params, query }) => {
  const view = await getDeviceReadings(params.deviceId, query.range);
  if (!view) throw new AppError('NOT_FOUND', 'There is no such device.');
  return NextResponse.json(view, { headers: { 'cache-control': 'no-store' } });
});
