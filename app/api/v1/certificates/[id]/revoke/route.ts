import { after } from 'next/server';
import { OPERATIONS } from '@/lib/api/v1/operations';
import { settleRevocations } from '@/lib/data/certificate-refresh';
import { revokeCertificates } from '@/lib/data/revocation';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import { idempotent } from '@/lib/server/idempotency';
import { route } from '@/lib/server/route';

const op = OPERATIONS.revokeCertificate;
export const POST = route({ permission: 'certificate:revoke', params: op.params, body: op.body }, ({ request, user, params, body }) =>
  idempotent(request, user, { id: params.id, ...body }, async () => {
    const { results, revokedIds } = await revokeCertificates(user, { certificateIds: [params.id], reason: body.reason, note: body.note });
    if (revokedIds.length) after(() => settleRevocations(db(), revokedIds).then(() => undefined));
    const result = results[0]!;
    if (!result.ok) throw new AppError(result.failure ?? 'INVALID_STATE', result.message);
    return { status: 200, body: { certificateId: result.certificateId, label: result.label, ok: result.ok, status: result.status, message: result.message } };
  }),
);
