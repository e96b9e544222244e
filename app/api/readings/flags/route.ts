import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { getReadingFlags } from '@/lib/data/readings';
import { rangeOrError } from '../_responses';

/**
 * GET /api/readings/flags?range=… [&device=<id>] — readings that should not exist in the range (unknown or
 * revoked certificate, one certificate for several devices): the fleet's, or those involving one device.
 */
export const GET = withPermission('readings:view', async (request) => {
  const params = request.nextUrl.searchParams;
  const parsed = rangeOrError(params);
  if ('response' in parsed) return parsed.response;
  const flags = await getReadingFlags(parsed.range, { deviceId: params.get('device') || undefined });
  return NextResponse.json({ flags }, { headers: { 'cache-control': 'no-store' } });
});
