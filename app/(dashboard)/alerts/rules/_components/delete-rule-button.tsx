'use client';

import { deleteRuleAction } from '../../actions';
import { ConfirmDeleteButton } from '../../_components/confirm-delete-button';

export function DeleteRuleButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmDeleteButton id={id} name={name} noun="rule" action={deleteRuleAction}>
      Its standing alerts are resolved (nobody is told) and kept with their history.
    </ConfirmDeleteButton>
  );
}
