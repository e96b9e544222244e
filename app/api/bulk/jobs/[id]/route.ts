import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { getBulkJob } from '@/lib/data/bulk';
import { bulkErrorResponse } from '../../_responses';

type Context = { params: Promise<{ id: string }> };

/** A job's progress; `?rows=1` adds each row's result. */
export const GET = withPermission('device:enroll', async (request, context: Context, user) => {
  const { id } = await context.params;
  try {
    return NextResponse.json(await getBulkJob(user, id, { rows: request.nextUrl.searchParams.get('rows') === '1' }));
  } catch (error) {
    return bulkErrorResponse(error);
  }
});
