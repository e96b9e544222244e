/**
 * The one role → permission map. The UI may use `can()` to hide a control; the server always calls
 * `requirePermission()` (lib/auth/session.ts) before it touches data.
 */
export const ROLES = ['ADMIN', 'SUPPORT', 'MANAGER'] as const;
export type RoleName = (typeof ROLES)[number];

export const PERMISSIONS = {
  'dashboard:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'device:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'device:enroll': ['ADMIN'],
  'device:edit': ['ADMIN'],
  'certificate:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'certificate:issue': ['ADMIN'],
  'certificate:revoke': ['ADMIN', 'SUPPORT'],
  'certificate:reactivate': ['ADMIN', 'SUPPORT'],
  'certificate:reconcile': ['ADMIN'],
  'certificate:diagnose': ['ADMIN', 'SUPPORT'],
  'customcsr:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'customcsr:manage': ['ADMIN'],
  'readings:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'readings:pull': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'thresholds:edit': ['ADMIN'],
  'audit:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'settings:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'settings:edit': ['ADMIN'],
  'mtls:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'mtls:manage': ['ADMIN'],
  'users:manage': ['ADMIN'],
  'alerts:view': ['ADMIN', 'SUPPORT', 'MANAGER'],
  'alerts:acknowledge': ['ADMIN', 'SUPPORT'],
  'alerts:configure': ['ADMIN'],
} as const satisfies Record<string, readonly RoleName[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: RoleName | undefined | null, permission: Permission): boolean {
  if (!role) return false;
  return (PERMISSIONS[permission] as readonly RoleName[]).includes(role);
}

/**
 * Completes "You do not have permission to …", the refusal the server gives when a role lacks a
 * permission; typed by `Permission` so a new permission cannot ship without one.
 */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'dashboard:view': 'view the dashboard',
  'device:view': 'view devices',
  'device:enroll': 'enroll devices',
  'device:edit': 'edit devices',
  'certificate:view': 'view certificates',
  'certificate:issue': 'issue certificates',
  'certificate:revoke': 'revoke certificates',
  'certificate:reactivate': 'reactivate certificates',
  'certificate:reconcile': 'reconcile certificates with Cloudflare',
  'certificate:diagnose': 'diagnose certificates',
  'customcsr:view': 'view custom CSRs',
  'customcsr:manage': 'manage custom CSRs',
  'readings:view': 'view readings',
  'readings:pull': 'pull readings',
  'thresholds:edit': 'edit temperature thresholds',
  'audit:view': 'view the audit log',
  'settings:view': 'view settings',
  'settings:edit': 'edit settings',
  'mtls:view': 'view mTLS settings',
  'mtls:manage': 'manage mTLS settings',
  'users:manage': 'manage users',
  'alerts:view': 'view alerts',
  'alerts:acknowledge': 'acknowledge alerts',
  'alerts:configure': 'configure alert rules and channels',
};

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Every permission a role holds, in map order (what `GET /api/me` reports). */
export function permissionsOf(role: RoleName): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((permission) => can(role, permission));
}
