import { describe, expect, it } from 'vitest';
import { assertCan, AuthError, type SessionUser } from './errors';

const manager: SessionUser = { id: 'u1', email: 'm@example.test', name: 'M', role: 'MANAGER' };

describe('assertCan', () => {
  it('refuses nobody with 401', () => {
    expect(() => assertCan(null, 'dashboard:view')).toThrow(expect.objectContaining({ status: 401 }));
  });

  it('refuses a role without the permission with 403 and says what is missing', () => {
    let error: unknown;
    try {
      assertCan(manager, 'users:manage');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 403, message: 'You do not have permission to manage users.' });
  });

  it('lets a role with the permission through', () => {
    expect(() => assertCan(manager, 'readings:view')).not.toThrow();
  });
});
