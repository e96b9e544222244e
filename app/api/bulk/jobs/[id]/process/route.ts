import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { processBulkJob } from '@/lib/data/bulk';
import { bulkErrorResponse } from '../../../_responses';

type Context = { params: Promise<{ id: string }> };

/**
 * Issues the job's next rows for a few seconds and answers with its progress (`waitSeconds` when the
 * queue paused for Cloudflare). The page calls it until `finished`; whatever was issued stays issued.
 */
export const POST = withPermission('device:enroll', async (_request, context: Context, user) => {
  const { id } = await context.params;
  try {
    return NextResponse.json(await processBulkJob(user, id));
  } catch (error) {
    return bulkErrorResponse(error);
  }
});
