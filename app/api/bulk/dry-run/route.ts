import { dryRunBulkEnrollment } from '@/lib/data/bulk';
import { route } from '@/lib/server/route';
import { BULK_MAX_BODY_BYTES } from '@/lib/validation/bulk-csv';
import { BulkUploadSchema } from '@/lib/validation/enrollment';

/** `{ csv }` → every problem of every row; nothing is written or issued. */
export const POST = route({ permission: 'device:enroll', body: BulkUploadSchema, maxBodyBytes: BULK_MAX_BODY_BYTES }, ({ user, body }) => dryRunBulkEnrollment(user, body));
