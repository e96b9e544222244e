'use client';

import { Ban, CircleCheck, CircleX } from 'lucide-react';
import { type FormEvent, useActionState, useId, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button, type ButtonSize, type ButtonVariant } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FieldError, Label } from '@/components/ui/input';
import { Textarea } from '@/components/ui/textarea';
import { REVOCATION_REASON_LABELS, REVOCATION_REASONS, type RevokeField, RevokeSchema } from '@/lib/validation/inventory';
import { revokeCertificatesAction, type RevokeState } from '../actions';

type FieldErrors = Partial<Record<RevokeField, string[]>>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A button that opens the revocation dialog for these certificates: a required reason (with text for
 * "Other"), a confirmation that says how many certificates on how many devices, and one result per
 * certificate after Cloudflare answered.
 */
export function RevokeDialog({
  certificateIds,
  deviceCount,
  triggerLabel = 'Revoke',
  variant = 'destructive',
  size = 'md',
  onDone,
  hideWhenEmpty = false,
}: {
  certificateIds: string[];
  /** Devices the certificates belong to (0 for untracked certificates). */
  deviceCount: number;
  triggerLabel?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Called when the dialog closes after a revocation ran (e.g. to clear a table's selection). */
  onDone?: () => void;
  /**
   * Render no button while there is nothing to revoke. The dialog itself stays mounted: after a
   * revocation the page re-renders with nothing left to revoke, and the results must stay on screen.
   */
  hideWhenEmpty?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<RevokeState, FormData>(revokeCertificatesAction, null);
  const [reason, setReason] = useState<string>('');
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [shownState, setShownState] = useState<RevokeState>(null);
  const noteId = useId();
  const count = certificateIds.length;
  const what = `${plural(count, 'certificate')}${deviceCount ? ` on ${plural(deviceCount, 'device')}` : ''}`;

  // The same schema as the action, so a missing reason shows without a round trip.
  function validate(event: FormEvent<HTMLFormElement>) {
    const data = new FormData(event.currentTarget);
    const parsed = RevokeSchema.safeParse({ certificateIds: data.getAll('certificateId'), reason: data.get('reason') ?? undefined, note: data.get('note') ?? '' });
    if (parsed.success) {
      setClientErrors(null);
      return;
    }
    event.preventDefault();
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) (errors[issue.path[0] as RevokeField] ??= []).push(issue.message);
    setClientErrors(errors);
  }

  const results = state && state === shownState ? undefined : state?.results;
  const errors: FieldErrors = clientErrors ?? (state && !state.ok && state !== shownState ? (state.fieldErrors ?? {}) : {});
  const finished = !!results;

  function close() {
    setOpen(false);
    if (finished) {
      setShownState(state);
      onDone?.();
    }
  }

  return (
    <>
      {hideWhenEmpty && count === 0 ? null : (
        <Button
          variant={variant}
          size={size}
          disabled={count === 0}
          onClick={() => {
            setShownState(state);
            setClientErrors(null);
            setReason('');
            setOpen(true);
          }}
        >
          <Ban aria-hidden />
          {triggerLabel}
        </Button>
      )}
      <Dialog open={open} onClose={close} title={finished ? 'Revocation' : count === 1 ? 'Revoke certificate' : `Revoke ${plural(count, 'certificate')}`}>
        {finished ? (
          <div className="flex flex-col gap-4">
            <FormMessage ok={state?.ok} message={state?.message} />
            <ul className="flex max-h-72 flex-col gap-2 overflow-y-auto text-sm" aria-label="Result per certificate">
              {results.map((r) => (
                <li key={r.certificateId} className="flex items-start gap-2" data-ok={r.ok}>
                  {r.ok ? <CircleCheck aria-label="Done" className="mt-0.5 size-4 shrink-0 text-emerald-600" /> : <CircleX aria-label="Failed" className="mt-0.5 size-4 shrink-0 text-destructive" />}
                  <span>
                    <span className="font-medium">{r.label}</span>: {r.message}
                  </span>
                </li>
              ))}
            </ul>
            <div className="flex justify-end">
              <Button variant="outline" onClick={close}>
                Close
              </Button>
            </div>
          </div>
        ) : (
          <form action={formAction} onSubmit={validate} noValidate className="flex flex-col gap-4">
            <p className="text-sm" data-testid="revoke-summary">
              This revokes <strong>{what}</strong>. Cloudflare marks {count === 1 ? 'it' : 'them'} pending revocation, then revoked; from then on the
              edge refuses {count === 1 ? 'its' : 'their'} handshakes. You can undo while the revocation is pending.
            </p>
            {certificateIds.map((id) => (
              <input key={id} type="hidden" name="certificateId" value={id} />
            ))}
            <fieldset className="flex flex-col gap-2" aria-describedby={errors.reason ? `${noteId}-reason-error` : undefined}>
              <legend className="mb-1 text-sm font-medium">Reason</legend>
              {REVOCATION_REASONS.map((value) => (
                <label key={value} className="flex items-center gap-2 text-sm">
                  <input type="radio" name="reason" value={value} checked={reason === value} onChange={() => setReason(value)} className="size-4 accent-primary" />
                  {REVOCATION_REASON_LABELS[value]}
                </label>
              ))}
              <FieldError id={`${noteId}-reason-error`} errors={errors.reason} />
            </fieldset>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={noteId}>{reason === 'OTHER' ? 'Why (required)' : 'Details (optional)'}</Label>
              <Textarea
                id={noteId}
                name="note"
                maxLength={500}
                aria-invalid={!!errors.note || undefined}
                aria-describedby={errors.note ? `${noteId}-error` : undefined}
              />
              <FieldError id={`${noteId}-error`} errors={errors.note} />
            </div>
            <FormMessage message={state && !state.ok && state !== shownState && !state.results ? state.message : undefined} />
            <div className="flex justify-end gap-2">
              <Button variant="outline" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" variant="destructive" disabled={pending}>
                {pending ? 'Revoking…' : `Revoke ${plural(count, 'certificate')}`}
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
