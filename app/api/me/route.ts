import { NextResponse } from 'next/server';
import { permissionsOf } from '@/lib/auth/permissions';
import { withPermission } from '@/lib/auth/session';

/** Who is signed in and what their role allows; the e2e specs and scripts use it to check a session. */
export const GET = withPermission('dashboard:view', async (_request, _context, user) =>
  NextResponse.json({ user, permissions: permissionsOf(user.role) }),
);
