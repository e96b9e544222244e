import { describe, expect, it } from 'vitest';
import { can, PERMISSION_DESCRIPTIONS, PERMISSIONS, permissionsOf, ROLES, type Permission } from './permissions';

const allPermissions = Object.keys(PERMISSIONS) as Permission[];

/**
 * The only non-`:view` permission a MANAGER may hold, each with the reason it changes nothing a
 * person decided.
 */
const MANAGER_READ_LIKE: Partial<Record<Permission, string>> = {
  'readings:pull': 'copies readings the Worker already holds; a refresh, not a change',
};

describe('permission map', () => {
  it.each(allPermissions)('%s is granted to at least one role', (permission) => {
    expect(PERMISSIONS[permission].length).toBeGreaterThan(0);
  });

  it('grants only known roles', () => {
    for (const roles of Object.values(PERMISSIONS)) for (const role of roles) expect(ROLES).toContain(role);
  });

  it('gives MANAGER no write permission', () => {
    const writes = permissionsOf('MANAGER').filter((p) => !p.endsWith(':view') && !(p in MANAGER_READ_LIKE));
    expect(writes).toEqual([]);
  });

  it('gives ADMIN every permission', () => {
    expect(permissionsOf('ADMIN')).toEqual(allPermissions);
  });

  it('keeps user management to ADMIN', () => {
    expect(ROLES.filter((role) => can(role, 'users:manage'))).toEqual(['ADMIN']);
  });

  it('lets SUPPORT revoke but not issue', () => {
    expect(can('SUPPORT', 'certificate:revoke')).toBe(true);
    expect(can('SUPPORT', 'certificate:issue')).toBe(false);
  });

  it('lets every role view alerts, SUPPORT and ADMIN acknowledge them, and only ADMIN configure rules and channels', () => {
    expect(ROLES.filter((role) => can(role, 'alerts:view'))).toEqual(['ADMIN', 'SUPPORT', 'MANAGER']);
    expect(ROLES.filter((role) => can(role, 'alerts:acknowledge'))).toEqual(['ADMIN', 'SUPPORT']);
    expect(ROLES.filter((role) => can(role, 'alerts:configure'))).toEqual(['ADMIN']);
  });

  it('refuses a missing role', () => {
    expect(can(undefined, 'dashboard:view')).toBe(false);
    expect(can(null, 'dashboard:view')).toBe(false);
  });

  it('describes every permission for the refusal message', () => {
    for (const permission of allPermissions) expect(PERMISSION_DESCRIPTIONS[permission]).toMatch(/^[a-z]/);
  });
});
