'use server';

import { acknowledgeAlert } from '@/lib/data/alerts';
import { action } from '@/lib/server/action';
import { AcknowledgeSchema } from '@/lib/validation/alerts';

// Acknowledging is offered wherever an alert is shown (its page, the list): action() checks the
// permission first, whatever the page that renders the form has already checked.

export const acknowledgeAlertAction = action(
  { permission: 'alerts:acknowledge', schema: AcknowledgeSchema, fields: ['note'], revalidate: [['/alerts', 'layout']] },
  async (input, { user }) => ({ message: `Acknowledged: ${(await acknowledgeAlert(user, input)).summary}` }),
);
