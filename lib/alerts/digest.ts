import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/*
 * Daily digests: a channel with `digest` on gets its alerts' messages BATCHED instead of sent one by
 * one; once a day, at or after `digestHourUtc`, one DIGEST delivery takes every batched message not yet
 * carried and goes out like any other delivery (retries, log). Its dedupeKey names the channel and the
 * day, so two workers (or two runs) make one digest a day; a day with nothing batched sends nothing.
 */

export interface DigestSummary {
  digests: number;
  carried: number;
  summary: string;
}

export async function sendDueDigests(prisma: PrismaClient, now: Date = new Date()): Promise<DigestSummary> {
  const channels = await prisma.alertChannel.findMany({ where: { digest: true, enabled: true }, select: { id: true, name: true, digestHourUtc: true } });
  const out: DigestSummary = { digests: 0, carried: 0, summary: '' };
  for (const channel of channels) {
    if (now.getUTCHours() < channel.digestHourUtc) continue;
    const day = now.toISOString().slice(0, 10);
    const made = await prisma
      .$transaction(async (tx) => {
      const dedupeKey = `digest:${channel.id}:${day}`;
      if (await tx.alertDelivery.findUnique({ where: { dedupeKey }, select: { id: true } })) return 0;
      const batched = await tx.alertDelivery.count({ where: { channelId: channel.id, status: 'BATCHED', digestId: null } });
      if (batched === 0) return 0;
      const id = randomUUID();
      // The unique dedupeKey makes a second digest for the day fail here, rolling this one back.
      await tx.alertDelivery.create({ data: { id, channelId: channel.id, channelName: channel.name, event: 'DIGEST', dedupeKey, status: 'PENDING' } });
      const carried = await tx.alertDelivery.updateMany({ where: { channelId: channel.id, status: 'BATCHED', digestId: null }, data: { digestId: id } });
      return carried.count;
      })
      // Another worker made today's digest at the same moment: its unique key won.
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'P2002') return 0;
        throw error;
      });
    if (made) {
      out.digests++;
      out.carried += made;
    }
  }
  out.summary = `${out.digests} digests carrying ${out.carried} messages`;
  return out;
}
