'use server';

import { enrollDevice, issuedAnswer } from '@/lib/data/enrollment';
import { action } from '@/lib/server/action';
import { EnrollmentSchema } from '@/lib/validation/enrollment';

/**
 * Enrolls one device from the wizard, which calls it with a plain object (not a form):
 * `enrollDeviceAction(null, { requestId, …, csrPem })`. The browser adds the CSR it made or read, and
 * the request id that makes a retried submit safe. Never a private key.
 */
export const enrollDeviceAction = action(
  { permission: 'device:enroll', schema: EnrollmentSchema, fields: ['name', 'group', 'commonName', 'validityDays', 'csrPem'], revalidate: ['/devices'] },
  async (input, { user }) => issuedAnswer(await enrollDevice(user, input)),
);
