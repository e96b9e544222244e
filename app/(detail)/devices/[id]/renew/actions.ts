'use server';

import { issuedAnswer } from '@/lib/data/enrollment';
import { renewDeviceCertificate } from '@/lib/data/renewal';
import { action } from '@/lib/server/action';
import { RenewalSchema } from '@/lib/validation/enrollment';

/**
 * Issues a replacement certificate for a device (ADMIN), called by the wizard with a plain object:
 * `renewCertificateAction(null, { … })`. Only the CSR is sent, never a private key.
 */
export const renewCertificateAction = action(
  {
    permission: 'certificate:issue',
    schema: RenewalSchema,
    fields: ['validityDays', 'csrPem'],
    revalidate: (input) => [`/devices/${input.deviceId}`, '/certificates'],
  },
  async (input, { user }) => {
    const result = await renewDeviceCertificate(user, input);
    return { ...issuedAnswer(result, 'Renewed'), oldCertificate: result.oldCertificate };
  },
);

export type RenewActionResult = Awaited<ReturnType<typeof renewCertificateAction>>;
