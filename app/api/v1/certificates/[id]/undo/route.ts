import { OPERATIONS } from '@/lib/api/v1/operations';
import { reactivateCertificate } from '@/lib/data/revocation';
import { AppError } from '@/lib/errors';
import { idempotent } from '@/lib/server/idempotency';
import { route } from '@/lib/server/route';

const op = OPERATIONS.undoRevocation;
export const POST = route({ permission: 'certificate:reactivate', params: op.params }, ({ request, user, params }) =>
  idempotent(request, user, { id: params.id }, async () => {
    const result = await reactivateCertificate(user, params.id);
    if (!result.ok) throw new AppError(result.failure ?? 'INVALID_STATE', result.message);
    return { status: 200, body: { certificateId: result.certificateId, label: result.label, ok: result.ok, status: result.status, message: result.message } };
  }),
);
