import 'server-only';
/**
 * Per-group EST policy (docs/est.md "Policy"): read with defaults, changed by an ADMIN (audited), and the
 * checks the EST job applies to a request. A group without a row follows DEFAULT_EST_POLICY.
 */
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { AppError } from '@/lib/errors';
import type { EstPolicy, Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import type { KeyInfo } from '@/lib/pki/parse';
import { DEFAULT_EST_POLICY, describeKeys, describeWindow, EstPolicySchema, type EstPolicyInput, type EstPolicyValues, windowOpensAt } from '@/lib/validation/est-policy';
import { type EstKeyType, KEY_TYPES } from '@/lib/validation/est-policy-constants';

type Db = PrismaClient | Prisma.TransactionClient;

function fromRow(row: EstPolicy | null): EstPolicyValues {
  if (!row) return { ...DEFAULT_EST_POLICY, keyTypes: [...DEFAULT_EST_POLICY.keyTypes] };
  return {
    windowMode: row.windowMode,
    windowPercent: row.windowPercent,
    windowDays: row.windowDays,
    refuseEarlyRenewal: row.refuseEarlyRenewal,
    keyTypes: row.keyTypes.filter((k): k is EstKeyType => (KEY_TYPES as readonly string[]).includes(k)),
    minRsaBits: row.minRsaBits,
    validityDays: row.validityDays,
    tokenHours: row.tokenHours,
    tokenUses: row.tokenUses,
    maxRequestsPerDay: row.maxRequestsPerDay,
  };
}

/** The policy in force for a group (the defaults when nobody set one). */
export async function getEstPolicy(prisma: Db, group: string): Promise<EstPolicyValues> {
  return fromRow(await prisma.estPolicy.findUnique({ where: { group } }));
}

export interface GroupPolicyRow {
  group: string;
  devices: number;
  policy: EstPolicyValues;
  isDefault: boolean;
  updatedByEmail: string | null;
  updatedAt: Date | null;
}

/** Every device group (and any group with a policy but no device left), with its policy. */
export async function listEstPolicies(prisma: Db): Promise<GroupPolicyRow[]> {
  const [groups, rows] = await Promise.all([
    prisma.device.groupBy({ by: ['group'], where: { isCanary: false }, _count: { _all: true } }),
    prisma.estPolicy.findMany(),
  ]);
  const byGroup = new Map(rows.map((r) => [r.group, r]));
  const names = [...new Set([...groups.map((g) => g.group), ...rows.map((r) => r.group)])].sort((a, b) => a.localeCompare(b));
  const counts = new Map(groups.map((g) => [g.group, g._count._all]));
  return names.map((group) => {
    const row = byGroup.get(group) ?? null;
    return { group, devices: counts.get(group) ?? 0, policy: fromRow(row), isDefault: !row, updatedByEmail: row?.updatedByEmail ?? null, updatedAt: row?.updatedAt ?? null };
  });
}

/**
 * ADMIN: sets a group's policy. Parsed with the form's schema here too (a caller other than the form);
 * the audit event carries what changed, before and after.
 */
export async function updateEstPolicy(prisma: PrismaClient, actor: SessionUser, raw: EstPolicyInput): Promise<EstPolicyValues> {
  assertCan(actor, 'device:enroll');
  const input = EstPolicySchema.parse(raw);
  const { group, ...values } = input;
  return prisma.$transaction(async (tx) => {
    const members = await tx.device.count({ where: { group, isCanary: false } });
    const existing = await tx.estPolicy.findUnique({ where: { group } });
    if (members === 0 && !existing) {
      throw new AppError('BAD_INPUT', `No device is in group "${group}".`, { fieldErrors: { group: [`No device is in group "${group}".`] } });
    }
    const before = fromRow(existing);
    await tx.estPolicy.upsert({
      where: { group },
      create: { group, ...values, updatedByEmail: actor.email },
      update: { ...values, updatedByEmail: actor.email },
    });
    const changed = (Object.keys(values) as (keyof EstPolicyValues)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(values[k]));
    await recordAudit(tx, {
      actor,
      action: 'est.policy.update',
      targetType: 'group',
      targetId: group,
      targetLabel: group,
      details: {
        changed,
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, values[k]])),
      } as Prisma.InputJsonObject,
    });
    return values;
  });
}

/** A request outside the group's policy: which rule, and the reason told to the device. */
export interface PolicyViolation {
  rule: 'key' | 'window' | 'rate';
  reason: string;
}

/** The CSR's key against the accepted key types. */
export function checkKey(policy: EstPolicyValues, key: Pick<KeyInfo, 'keyType' | 'keySize' | 'curve'>, group: string): PolicyViolation | null {
  const ok =
    key.keyType === 'RSA'
      ? policy.keyTypes.includes('RSA') && key.keySize >= policy.minRsaBits
      : (policy.keyTypes as string[]).includes(key.curve ?? '');
  if (ok) return null;
  const what = key.keyType === 'RSA' ? `an RSA ${key.keySize}-bit key` : `an EC ${key.curve ?? 'unknown-curve'} key`;
  return { rule: 'key', reason: `group ${group}'s EST policy accepts ${describeKeys(policy)}; this CSR has ${what}` };
}

/** A renewal before its window opens, when the policy refuses those. */
export function checkWindow(policy: EstPolicyValues, cert: { issuedOn: Date; expiresOn: Date }, now: Date, group: string): PolicyViolation | null {
  if (!policy.refuseEarlyRenewal) return null;
  const opens = windowOpensAt(policy, cert.issuedOn, cert.expiresOn);
  if (now >= opens) return null;
  return {
    rule: 'window',
    reason: `group ${group}'s EST policy renews in ${describeWindow(policy)}: this certificate's window opens on ${opens.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}

/** Too many requests from one device in the last 24 hours (this one not counted). */
export async function checkRate(prisma: Db, policy: EstPolicyValues, deviceId: string, requestId: string, now: Date, group: string): Promise<PolicyViolation | null> {
  if (policy.maxRequestsPerDay === null) return null;
  const since = new Date(now.getTime() - 86_400_000);
  const earlier = await prisma.estRequest.count({ where: { deviceId, requestedAt: { gte: since, lte: now }, id: { not: requestId } } });
  if (earlier < policy.maxRequestsPerDay) return null;
  return { rule: 'rate', reason: `group ${group}'s EST policy allows ${policy.maxRequestsPerDay} request${policy.maxRequestsPerDay === 1 ? '' : 's'} per device per day; this device made ${earlier} in the last 24 h` };
}
