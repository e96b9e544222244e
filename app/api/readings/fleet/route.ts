import { NextResponse } from 'next/server';
import { getFleetReadings } from '@/lib/data/readings';
import { ReadingsQuerySchema } from '@/lib/readings/ranges';
import { route } from '@/lib/server/route';

/**
 * GET /api/readings/fleet?group=<name> | device=<id>… & range=… — the fleet view's data: per-device and average
 * buckets (≤ ~1,000 each), the fleet's health, one page of its devices (page=, health=, q=) with their
 * latest readings, the devices outside their limits.
 */
export const GET = route({ permission: 'readings:view', query: ReadingsQuerySchema }, async ({ query }) => {
  const view = await getFleetReadings(query.selection, query.range, new Date(), { table: query.table });
  return NextResponse.json(view, { headers: { 'cache-control': 'no-store' } });
});
