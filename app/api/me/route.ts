import { permissionsOf } from '@/lib/auth/permissions';
import { route } from '@/lib/server/route';

/** Who is signed in and what their role allows; the e2e specs and scripts use it to check a session. */
export const GET = route({ permission: 'dashboard:view' }, ({ user }) => ({ user, permissions: permissionsOf(user.role) }));
