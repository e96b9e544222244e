import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password-rules';
import { isRoleName, ROLES, type RoleName } from '@/lib/auth/permissions';
import { formBoolean } from './action-state';
import { firstParam, parseTableSearch, type RawSearchParams, type TableSearch } from './table-search-params';

/**
 * The one schema for users, shared by the forms on the Users page, their server actions and the
 * `/api/users` route handlers. Each operation picks the fields it needs.
 */
export const UserSchema = z.object({
  id: z.string().trim().min(1, 'Missing user id.').max(64),
  // Stored lowercase so one mailbox cannot hold two accounts and sign-in matches any spelling.
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, 'An email address has at most 254 characters.')
    .pipe(z.email('Enter a valid email address.')),
  name: z.string().trim().min(1, 'Enter a name.').max(100, 'Use at most 100 characters.'),
  role: z.enum(ROLES, 'Choose a role.'),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(1024, 'Use at most 1024 characters.'),
  disabled: formBoolean,
});

export const CreateUserSchema = UserSchema.pick({ email: true, name: true, role: true, password: true });
export const ChangeRoleSchema = UserSchema.pick({ id: true, role: true });
export const SetDisabledSchema = UserSchema.pick({ id: true, disabled: true });
export const ResetPasswordSchema = UserSchema.pick({ id: true, password: true });

/** `PATCH /api/users/:id` changes one thing at a time, like the buttons on the page. */
export const UpdateUserSchema = z.union([
  UserSchema.pick({ role: true }).strict(),
  UserSchema.pick({ disabled: true }).strict(),
  UserSchema.pick({ password: true }).strict(),
]);

export type CreateUserInput = z.infer<typeof CreateUserSchema>;
export type CreateUserField = keyof CreateUserInput;

export const USER_SORTS = ['email', 'name', 'role', 'createdAt'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export interface UserListSearch extends TableSearch<UserSort> {
  role: RoleName | null;
}

/** The Users table's URL state: paging, sorting, search, and an optional role filter. */
export function parseUserListSearch(raw: RawSearchParams): UserListSearch {
  const role = firstParam(raw, 'role');
  return {
    ...parseTableSearch(raw, { sortable: USER_SORTS, defaultSort: 'email' }),
    role: isRoleName(role) ? role : null,
  };
}
