import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { getCertificate } from '@/lib/data/certificates';

type Context = { params: Promise<{ id: string }> };

/** One certificate with its PEM, identifiers, status, revocation and edge proof. */
export const GET = withPermission('certificate:view', async (_request, context: Context, user) => {
  const { id } = await context.params;
  const certificate = await getCertificate(user, id);
  if (!certificate) return NextResponse.json({ error: 'No such certificate.' }, { status: 404 });
  return NextResponse.json(certificate);
});
