import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { findDevices } from '@/lib/data/devices';
import { parseDeviceListSearch } from '@/lib/validation/inventory';

/** The Devices table as JSON, with the same query parameters as the page. */
export const GET = withPermission('device:view', async (request, _context, user) => {
  const search = parseDeviceListSearch(Object.fromEntries(request.nextUrl.searchParams));
  return NextResponse.json(await findDevices(user, search));
});
