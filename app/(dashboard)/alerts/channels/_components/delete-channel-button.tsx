'use client';

import { deleteChannelAction } from '../../actions';
import { ConfirmDeleteButton } from '../../_components/confirm-delete-button';

export function DeleteChannelButton({ id, name, rules }: { id: string; name: string; rules: number }) {
  return (
    <ConfirmDeleteButton id={id} name={name} noun="channel" action={deleteChannelAction}>
      {rules ? `${rules} rule${rules === 1 ? '' : 's'} stop telling it. ` : ''}Messages still waiting for it are cancelled; its delivery log stays with the alerts.
    </ConfirmDeleteButton>
  );
}
