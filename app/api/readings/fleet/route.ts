import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { getFleetReadings } from '@/lib/data/readings';
import { parseFleetSelection } from '@/lib/readings/selection';
import { rangeOrError } from '../_responses';

/**
 * GET /api/readings/fleet?group=<name> | device=<id>… & range=… — the fleet view's data: per-device and average
 * buckets (≤ ~1,000 each), every device's health and latest reading, devices outside their limits, flags.
 */
export const GET = withPermission('readings:view', async (request) => {
  const params = request.nextUrl.searchParams;
  const parsed = rangeOrError(params);
  if ('response' in parsed) return parsed.response;
  const view = await getFleetReadings(parseFleetSelection(params), parsed.range);
  return NextResponse.json(view, { headers: { 'cache-control': 'no-store' } });
});
