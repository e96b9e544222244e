import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { retryFailedRows } from '@/lib/data/bulk';
import { bulkErrorResponse } from '../../../_responses';

type Context = { params: Promise<{ id: string }> };

/** Puts the job's failed rows back in the queue (each keeps its intent, so none is issued twice). */
export const POST = withPermission('device:enroll', async (_request, context: Context, user) => {
  const { id } = await context.params;
  try {
    return NextResponse.json(await retryFailedRows(user, id));
  } catch (error) {
    return bulkErrorResponse(error);
  }
});
