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
} as const satisfies Record<string, readonly RoleName[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: RoleName | undefined | null, permission: Permission): boolean {
  if (!role) return false;
  return (PERMISSIONS[permission] as readonly RoleName[]).includes(role);
}
