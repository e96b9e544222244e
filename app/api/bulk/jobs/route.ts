import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { createBulkJob, listRecentBulkJobs } from '@/lib/data/bulk';
import { BulkUploadSchema } from '@/lib/validation/enrollment';
import { invalidBody, readJson } from '../../_lib/responses';
import { bulkErrorResponse } from '../_responses';

/** The latest bulk jobs with their counts. */
export const GET = withPermission('device:enroll', async (_request, _context, user) => NextResponse.json({ jobs: await listRecentBulkJobs(user) }));

/** `{ csv }` → a queued job when no row has a problem (422 with the dry-run report otherwise). Nothing is issued yet. */
export const POST = withPermission('device:enroll', async (request, _context, user) => {
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = BulkUploadSchema.safeParse(read.body);
  if (!parsed.success) return invalidBody(parsed.error);
  try {
    return NextResponse.json(await createBulkJob(user, parsed.data), { status: 201 });
  } catch (error) {
    return bulkErrorResponse(error);
  }
});
