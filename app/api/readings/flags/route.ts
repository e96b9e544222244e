import { NextResponse } from 'next/server';
import { getReadingFlags } from '@/lib/data/readings';
import { ReadingsQuerySchema } from '@/lib/readings/ranges';
import { route } from '@/lib/server/route';

/**
 * GET /api/readings/flags?range=… [&device=<id>] — readings that should not exist in the range (unknown or
 * revoked certificate, one certificate for several devices): the fleet's, or those involving one device.
 */
export const GET = route({ permission: 'readings:view', query: ReadingsQuerySchema }, async ({ query }) => {
  const flags = await getReadingFlags(query.range, { deviceId: query.device });
  return NextResponse.json({ flags }, { headers: { 'cache-control': 'no-store' } });
});
