import { changeUserRole, resetUserPassword, setUserDisabled } from '@/lib/data/users';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';
import { UpdateUserSchema } from '@/lib/validation/user';

/** One change per request: `{ role }`, `{ disabled }` or `{ password }`. */
export const PATCH = route({ permission: 'users:manage', params: IdParams, body: UpdateUserSchema }, ({ user, params, body: change }) =>
  'role' in change
    ? changeUserRole(user, params.id, change.role)
    : 'disabled' in change
      ? setUserDisabled(user, params.id, change.disabled)
      : resetUserPassword(user, params.id, change.password),
);
