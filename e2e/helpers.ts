import { expect, type Page } from '@playwright/test';
import { waitForHydration } from './fixtures';
import { DEMO_PASSWORD, type DemoUser, demoUser } from '../lib/auth/demo-users';
import type { RoleName } from '../lib/auth/permissions';

export { DEMO_PASSWORD };

/** The sidebar links each role should see, in order. */
export const NAV_BY_ROLE: Record<RoleName, string[]> = {
  ADMIN: ['Overview', 'Alerts', 'Devices', 'Certificates', 'Certificate doctor', 'Reconcile', 'EST enrollment', 'Renewal planner', 'mTLS hosts', 'Custom CSRs', 'Readings', 'Audit log', 'Settings', 'Users'],
  SUPPORT: ['Overview', 'Alerts', 'Devices', 'Certificates', 'Certificate doctor', 'EST enrollment', 'Renewal planner', 'mTLS hosts', 'Custom CSRs', 'Readings', 'Audit log', 'Settings'],
  MANAGER: ['Overview', 'Alerts', 'Devices', 'Certificates', 'EST enrollment', 'Renewal planner', 'mTLS hosts', 'Custom CSRs', 'Readings', 'Audit log', 'Settings'],
};

/** Fills the sign-in form; does not wait for the outcome. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in as the seeded demo user of `role` and waits for the dashboard header to show them. */
export async function signIn(page: Page, role: RoleName): Promise<DemoUser> {
  const user = demoUser(role);
  await page.goto('/signin');
  await submitSignIn(page, user.email, DEMO_PASSWORD);
  await expect(page.getByTestId('current-user')).toContainText(user.name);
  await waitForHydration(page);
  return user;
}

export function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main', exact: true });
}

/** An email no earlier run has used, so specs can run against a database that outlives them. */
export function uniqueEmail(label: string): string {
  return `e2e-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@certfleet.test`;
}
