import { NextResponse } from 'next/server';
import { createBulkJob, listRecentBulkJobs } from '@/lib/data/bulk';
import { route } from '@/lib/server/route';
import { BULK_MAX_BODY_BYTES } from '@/lib/validation/bulk-csv';
import { BulkUploadSchema } from '@/lib/validation/enrollment';

/** The latest bulk jobs with their counts. */
export const GET = route({ permission: 'device:enroll' }, async ({ user }) => ({ jobs: await listRecentBulkJobs(user) }));

/** `{ csv }` → a queued job when no row has a problem (422 HAS_PROBLEMS with the dry run in `details.report` otherwise). Nothing is issued yet. */
export const POST = route({ permission: 'device:enroll', body: BulkUploadSchema, maxBodyBytes: BULK_MAX_BODY_BYTES }, async ({ user, body }) =>
  NextResponse.json(await createBulkJob(user, body), { status: 201 }),
);
