import type { RoleName } from './permissions';

/**
 * The demo logins that `npm start` seeds into an empty database and that the README and the e2e
 * specs use. One per role, so each persona can be tried without creating users first.
 */
export const DEMO_PASSWORD = 'certfleet-demo';

export interface DemoUser {
  email: string;
  name: string;
  role: RoleName;
}

export const DEMO_USERS = [
  { email: 'admin@certfleet.local', name: 'Ada Admin', role: 'ADMIN' },
  { email: 'support@certfleet.local', name: 'Sam Support', role: 'SUPPORT' },
  { email: 'manager@certfleet.local', name: 'Mia Manager', role: 'MANAGER' },
] as const satisfies readonly DemoUser[];

export function demoUser(role: RoleName): DemoUser {
  const user = DEMO_USERS.find((u) => u.role === role);
  if (!user) throw new Error(`No demo user for role ${role}`);
  return user;
}
