import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { deleteCustomCsr, getCustomCsr } from '@/lib/data/custom-csrs';
import { customCsrErrorResponse } from '../responses';

type Context = { params: Promise<{ id: string }> };

/** One custom CSR: its fields, PEM, parsed subject/SANs/key and the custom hostnames using its key. */
export const GET = withPermission<Context>('customcsr:view', async (_request, context, user) => {
  const csr = await getCustomCsr(user, (await context.params).id);
  if (!csr) return NextResponse.json({ error: 'No such custom CSR.' }, { status: 404 });
  return NextResponse.json(csr);
});

/** Deletes the CSR (and its key) at Cloudflare, then in certfleet; 409 with `hostname` while a custom hostname uses the key. */
export const DELETE = withPermission<Context>('customcsr:manage', async (_request, context, user) => {
  try {
    return NextResponse.json(await deleteCustomCsr(user, (await context.params).id));
  } catch (error) {
    return customCsrErrorResponse(error);
  }
});
