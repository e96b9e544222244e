import { after } from 'next/server';
import { db } from '@/lib/db/client';
import { settleRevocations } from '@/lib/data/certificate-refresh';
import { revokeCertificates } from '@/lib/data/revocation';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/server/route';
import { RevokeOneBodySchema } from '@/lib/validation/inventory';
import { IdParams } from '@/lib/validation/route-params';

/**
 * Revokes one certificate: `{ "reason": "KEY_COMPROMISE" | …, "note"?: "…" }` (note required for OTHER).
 * SUPPORT and ADMIN; a MANAGER (or anyone else) gets 403 before anything is read.
 */
export const POST = route({ permission: 'certificate:revoke', params: IdParams, body: RevokeOneBodySchema }, async ({ user, params, body }) => {
  const { results, revokedIds } = await revokeCertificates(user, { certificateIds: [params.id], reason: body.reason, note: body.note });
  if (revokedIds.length) after(() => settleRevocations(db(), revokedIds).then(() => undefined));
  const result = results[0]!;
  if (!result.ok) throw new AppError(result.failure ?? 'INVALID_STATE', result.message, { details: { result } });
  return result;
});
