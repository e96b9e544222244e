import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { changeUserRole, resetUserPassword, setUserDisabled } from '@/lib/data/users';
import { UpdateUserSchema } from '@/lib/validation/user';
import { invalidBody, readJson, userChangeResponse } from '../../_lib/responses';

type Context = { params: Promise<{ id: string }> };

/** One change per request: `{ role }`, `{ disabled }` or `{ password }`. */
export const PATCH = withPermission('users:manage', async (request, context: Context, user) => {
  const { id } = await context.params;
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = UpdateUserSchema.safeParse(read.body);
  if (!parsed.success) return invalidBody(parsed.error);
  const change = parsed.data;
  try {
    const updated =
      'role' in change
        ? await changeUserRole(user, id, change.role)
        : 'disabled' in change
          ? await setUserDisabled(user, id, change.disabled)
          : await resetUserPassword(user, id, change.password);
    return NextResponse.json(updated);
  } catch (error) {
    return userChangeResponse(error);
  }
});
