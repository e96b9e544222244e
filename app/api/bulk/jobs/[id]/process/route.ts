import { processBulkJob } from '@/lib/data/bulk-run';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/**
 * Issues the job's next rows for a few seconds and answers with its progress (`waitSeconds` when the
 * queue paused for Cloudflare). The page calls it until `finished`; whatever was issued stays issued.
 */
export const POST = route({ permission: 'device:enroll', params: IdParams }, ({ user, params }) => processBulkJob(user, params.id));
