import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { dryRunBulkEnrollment } from '@/lib/data/bulk';
import { BulkUploadSchema } from '@/lib/validation/enrollment';
import { invalidBody, readJson } from '../../_lib/responses';

/** `{ csv }` → every problem of every row; nothing is written or issued. */
export const POST = withPermission('device:enroll', async (request, _context, user) => {
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = BulkUploadSchema.safeParse(read.body);
  if (!parsed.success) return invalidBody(parsed.error);
  return NextResponse.json(await dryRunBulkEnrollment(user, parsed.data));
});
