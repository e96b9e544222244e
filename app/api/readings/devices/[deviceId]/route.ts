import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { getDeviceReadings } from '@/lib/data/readings';
import { rangeOrError } from '../../_responses';

type Context = { params: Promise<{ deviceId: string }> };

/**
 * GET /api/readings/devices/<id>?range=90d | from=…&to=… — the device chart's data: at most ~1,000 buckets
 * (t = bucket start in ms, min/max/avg/count), the range's true min/max, limits, certificate markers, flags.
 */
export const GET = withPermission('readings:view', async (request, context: Context) => {
  const { deviceId } = await context.params;
  const parsed = rangeOrError(request.nextUrl.searchParams);
  if ('response' in parsed) return parsed.response;
  const view = await getDeviceReadings(deviceId, parsed.range);
  if (!view) return NextResponse.json({ error: 'There is no such device.' }, { status: 404 });
  return NextResponse.json(view, { headers: { 'cache-control': 'no-store' } });
});
