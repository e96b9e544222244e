import { z } from 'zod';
import { mtlsHostnameProblem, normalizeMtlsHostname } from './hostname-check';

/**
 * Hostnames on which the zone's managed CA asks for client certificates
 * (`certificate_authorities/hostname_associations`). A leading "*." label is allowed, as the API
 * allows it; IP addresses are not hostnames. The check is in hostname-check.ts (no zod), which the add
 * form runs in the browser.
 */
export const MtlsHostSchema = z.object({
  hostname: z
    .string('Enter a hostname.')
    .transform(normalizeMtlsHostname)
    .superRefine((h, ctx) => {
      const problem = mtlsHostnameProblem(h);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});
export type MtlsHostInput = z.infer<typeof MtlsHostSchema>;
