'use client';

import { type FormEvent, useRef, useState } from 'react';
import type { KeyChoice } from '@/components/enrollment/key-source-fields';
import { newRequestId } from '@/components/enrollment/download';
import type { ActionFailure } from '@/lib/validation/action-state';

/** One submit's identity: a retry of the same content reuses its request id and CSR, so it is never issued twice. */
export interface IssueAttempt {
  formKey: string;
  requestId: string;
  csrPem: string;
  privateKeyPem: string | null;
}

type Errors = Partial<Record<string, string[]>>;

interface IssueOptions<TIssued extends { ok: true }> {
  /** What the form says, for the retry rule: the same key keeps the request id, the CSR and the key. */
  formKey: string;
  keyChoice: KeyChoice;
  /** The CN of a CSR made in this browser. */
  commonName: string;
  /** Shown while the browser makes the key pair. */
  makingKey: string;
  /** Said when something other than the action's answer fails. */
  failed: string;
  send: (attempt: IssueAttempt) => Promise<TIssued | ActionFailure>;
  onIssued: (answer: TIssued, privateKeyPem: string | null) => void;
  onRefused: (fieldErrors: Errors) => void;
}

/**
 * The part the enroll and renew wizards share: make the key pair and CSR in this browser (or take the
 * pasted CSR), send them under one request id, and keep that id for a retry of the same form, so a lost
 * answer never issues twice. The private key never leaves the browser: only the CSR is sent.
 */
export function useIssueAttempt() {
  const attempt = useRef<IssueAttempt | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // One submit at a time: the form's own checks (and the schema they load) run before issue() marks it busy.
  const submitting = useRef(false);

  /** The form's submit: runs `check` (which ends in issue()) unless a submit is still under way. */
  async function submitOnce(event: FormEvent<HTMLFormElement>, check: () => Promise<void>): Promise<void> {
    event.preventDefault();
    if (submitting.current) return;
    submitting.current = true;
    try {
      await check();
    } finally {
      submitting.current = false;
    }
  }

  async function issue<TIssued extends { ok: true }>(options: IssueOptions<TIssued>): Promise<void> {
    const { formKey, keyChoice } = options;
    const fromCsr = keyChoice.keySource === 'csr';
    try {
      if (attempt.current?.formKey !== formKey) {
        let csrPem = keyChoice.csrCheck?.pem ?? '';
        let privateKeyPem: string | null = null;
        if (!fromCsr) {
          setBusy(options.makingKey);
          // @/lib/pki (X.509, PKCS#10) is loaded when a key is generated, not with the page.
          const { generateKeyAndCsr } = await import('@/lib/pki');
          const made = await generateKeyAndCsr({ algorithm: keyChoice.keyType === 'RSA-2048' ? 'RSA' : 'EC', rsaBits: 2048, subject: { CN: options.commonName } });
          csrPem = made.csrPem;
          privateKeyPem = made.privateKeyPem;
        }
        attempt.current = { formKey, requestId: newRequestId(), csrPem, privateKeyPem };
      }
      const current = attempt.current;
      setBusy('Asking Cloudflare to sign…');
      const answer = await options.send(current);
      if (answer.ok) {
        attempt.current = null;
        options.onIssued(answer, current.privateKeyPem);
      } else {
        options.onRefused(answer.fieldErrors ?? {});
        setMessage(answer.details?.retryable ? `${answer.message} Submitting again is safe.` : answer.message);
      }
    } catch (error) {
      setMessage(error instanceof Error ? error.message : options.failed);
    } finally {
      setBusy(null);
    }
  }

  return { issue, submitOnce, busy, message, setMessage };
}
