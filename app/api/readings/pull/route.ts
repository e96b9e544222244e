import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { pullReadingsNow } from '@/lib/data/readings';
import { readingsErrorResponse } from '../_responses';

/** POST /api/readings/pull — pulls new readings from the Worker now; answers with what was stored. */
export const POST = withPermission('readings:pull', async () => {
  try {
    return NextResponse.json(await pullReadingsNow());
  } catch (error) {
    return readingsErrorResponse(error);
  }
});
