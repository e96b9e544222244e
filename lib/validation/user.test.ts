import { describe, expect, it } from 'vitest';
import { CreateUserSchema, parseUserListSearch, SetDisabledSchema, UpdateUserSchema } from './user';

const valid = { email: ' Ada@Example.TEST ', name: ' Ada ', role: 'SUPPORT', password: 'correct horse battery' };

describe('user schemas', () => {
  it('normalises the email and trims the name', () => {
    expect(CreateUserSchema.parse(valid)).toMatchObject({ email: 'ada@example.test', name: 'Ada', role: 'SUPPORT' });
  });

  it('asks for 12 characters of password', () => {
    const result = CreateUserSchema.safeParse({ ...valid, password: 'short-pw-11' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['password'], message: 'Use at least 12 characters.' });
  });

  it('refuses an unknown role and a non-email', () => {
    const result = CreateUserSchema.safeParse({ ...valid, role: 'ROOT', email: 'nope' });
    expect(result.error?.issues.map((i) => i.path[0]).sort()).toEqual(['email', 'role']);
  });

  it('reads "true"/"false" from a form and booleans from JSON', () => {
    expect(SetDisabledSchema.parse({ id: 'u1', disabled: 'false' }).disabled).toBe(false);
    expect(SetDisabledSchema.parse({ id: 'u1', disabled: true }).disabled).toBe(true);
    expect(SetDisabledSchema.safeParse({ id: 'u1', disabled: 'yes' }).success).toBe(false);
  });

  it('lets PATCH change exactly one thing', () => {
    expect(UpdateUserSchema.safeParse({ role: 'ADMIN' }).success).toBe(true);
    expect(UpdateUserSchema.safeParse({ role: 'ADMIN', disabled: true }).success).toBe(false);
    expect(UpdateUserSchema.safeParse({}).success).toBe(false);
  });

  it('parses the role filter from the URL and ignores junk', () => {
    expect(parseUserListSearch({ role: 'MANAGER' }).role).toBe('MANAGER');
    expect(parseUserListSearch({ role: 'root' }).role).toBeNull();
  });
});
