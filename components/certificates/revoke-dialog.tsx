'use client';

import { Ban, CircleCheck, CircleX, LoaderCircle } from 'lucide-react';
import { useActionState, useEffect, useId, useState } from 'react';
import { CertificateStatusBadge } from './certificate-badges';
import { UndoRevocationButton } from './undo-revocation-button';
import type { CertificateStatus } from '@/lib/generated/prisma/enums';
import { FormMessage } from '@/components/ui/alert';
import { Button, type ButtonSize, type ButtonVariant } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FieldError, Label } from '@/components/ui/input';
import { Textarea } from '@/components/ui/textarea';
import { checkBeforeAction } from '@/lib/validation/check-form';
import type { RevokeField } from '@/lib/validation/inventory';
import { REVOCATION_REASON_LABELS, REVOCATION_REASONS } from '@/lib/validation/inventory-constants';
import { revokeCertificatesAction, type RevokeState } from './actions';

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
  canUndo = true,
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
  /** The person may undo a pending revocation (certificate:reactivate): the result then offers it. */
  canUndo?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<RevokeState, FormData>(revokeCertificatesAction, null);
  const [reason, setReason] = useState<string>('');
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [shownState, setShownState] = useState<RevokeState>(null);
  const noteId = useId();
  const count = certificateIds.length;
  const what = `${plural(count, 'certificate')}${deviceCount ? ` on ${plural(deviceCount, 'device')}` : ''}`;

  // The same schema as the action, so a missing reason shows without a round trip (loaded on the first submit).
  const validate = checkBeforeAction<RevokeField>(async (data) => {
    const { RevokeSchema } = await import('@/lib/validation/inventory');
    return RevokeSchema.safeParse({ certificateIds: data.getAll('certificateId'), reason: data.get('reason') ?? undefined, note: data.get('note') ?? '' });
  }, setClientErrors, formAction);

  const results = state && state === shownState ? undefined : state?.results;
  const errors: FieldErrors = clientErrors ?? (state && !state.ok && state !== shownState ? (state.fieldErrors ?? {}) : {});
  const finished = !!results;
  // When the answer arrived: the live status below counts the pending time from here.
  const [revokedAt, setRevokedAt] = useState<{ state: RevokeState; at: number } | null>(null);
  if (results && revokedAt?.state !== state) setRevokedAt({ state, at: Date.now() });

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
                  <span className="flex flex-col gap-1">
                    <span>
                      <span className="font-medium">{r.label}</span>: {r.ok ? 'revocation requested.' : r.message}
                    </span>
                    {r.ok ? <LiveRevocation certificateId={r.certificateId} label={r.label} since={revokedAt?.at ?? 0} canUndo={canUndo} /> : null}
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

/**
 * One revoked certificate's status as certfleet follows it at Cloudflare, asked again every second
 * and a half until it settles, so the dialog never says "pending" over a page that shows Revoked.
 * While it is pending the undo is right here: the dialog does not cover the page's own button.
 */
function LiveRevocation({ certificateId, label, since, canUndo }: { certificateId: string; label: string; since: number; canUndo: boolean }) {
  const [status, setStatus] = useState<CertificateStatus>('PENDING_REVOCATION');
  const [now, setNow] = useState(() => Date.now());
  const settled = status === 'REVOKED' || status === 'ACTIVE';

  useEffect(() => {
    if (settled) return;
    let stopped = false;
    const ask = async () => {
      try {
        const response = await fetch(`/api/certificates/${encodeURIComponent(certificateId)}`, { cache: 'no-store' });
        if (!response.ok || stopped) return;
        const body = (await response.json()) as { status?: CertificateStatus };
        if (body.status && !stopped) setStatus(body.status);
      } catch {
        // The next tick asks again.
      }
    };
    const timer = setInterval(() => {
      setNow(Date.now());
      void ask();
    }, 1_500);
    void ask();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [certificateId, settled]);

  const seconds = Math.max(0, Math.round((now - since) / 1000));
  return (
    <span className="flex flex-col gap-1.5" data-testid="live-revocation" data-status={status}>
      <span className="flex flex-wrap items-center gap-2" aria-live="polite">
        <CertificateStatusBadge status={status} />
        {status === 'PENDING_REVOCATION' ? (
          <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
            <LoaderCircle aria-hidden className="size-3.5 animate-spin" />
            Pending for {seconds} s. Cloudflare completes a revocation within seconds to minutes; until then it can be undone.
          </span>
        ) : status === 'REVOKED' ? (
          <span className="text-xs text-muted-foreground">Revoked at Cloudflare: the edge refuses it now, and it can no longer be undone.</span>
        ) : status === 'ACTIVE' ? (
          <span className="text-xs text-muted-foreground">Active again: the revocation was undone.</span>
        ) : null}
      </span>
      {canUndo && status === 'PENDING_REVOCATION' ? <UndoRevocationButton certificateId={certificateId} label={label} size="sm" onDone={setStatus} /> : null}
    </span>
  );
}
