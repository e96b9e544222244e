import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';

/**
 * Who did it. A person acting through the app passes their `SessionUser`; a background job passes
 * `{ id: null, email: 'system:<job>' }` so the log still says where a change came from.
 */
export interface AuditActor {
  id: string | null;
  email: string;
  /** The API token the person acted through, if any: recorded with every event it causes. */
  token?: { id: string; name: string; prefix: string };
}

export interface AuditEntry {
  actor: AuditActor;
  /** `<target type>.<verb>`, e.g. `user.create`, `certificate.revoke`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** What a reader recognises the target by (an email, a device name), kept even if the target goes. */
  targetLabel?: string | null;
  reason?: string | null;
  details?: Prisma.InputJsonObject;
}

/**
 * Appends one event to the audit log. Pass the transaction client of the change being recorded, so
 * the event exists exactly when the change does. The table is append-only: its migration refuses
 * UPDATE and DELETE, and nothing here offers either.
 */
export async function recordAudit(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: entry.actor.id,
      actorEmail: entry.actor.email,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      targetLabel: entry.targetLabel ?? null,
      reason: entry.reason ?? null,
      details: entry.actor.token
        ? { ...entry.details, apiToken: { id: entry.actor.token.id, name: entry.actor.token.name, prefix: entry.actor.token.prefix } }
        : entry.details,
    },
  });
}
