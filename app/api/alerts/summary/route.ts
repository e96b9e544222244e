import { NextResponse } from 'next/server';
import { countOpenAlerts } from '@/lib/data/alerts';
import { route } from '@/lib/server/route';

/** The header bell's count: alerts nobody has acknowledged, and how many are critical. */
export const GET = route({ permission: 'alerts:view' }, async ({ user }) =>
  NextResponse.json(await countOpenAlerts(user), { headers: { 'cache-control': 'no-store' } }),
);
