import { z } from 'zod';
import type { AppErrorCode, FieldErrors } from '@/lib/errors';

/**
 * What a server action made with `action()` (lib/server/action.ts) answers an expected failure with:
 * the AppError's code and message, messages per form field, the typed values to put back (React
 * resets a form after its action; never a password), and the error's details.
 */
export interface ActionFailure<TField extends string = string> {
  ok: false;
  code: AppErrorCode;
  message: string;
  fieldErrors?: FieldErrors<TField>;
  values?: Partial<Record<TField, string>>;
  details?: Record<string, unknown>;
}

/** The state a form's `useActionState` holds: nothing yet, a success with its message, or a failure. */
export type ActionState<TField extends string = string> = { ok: true; message: string } | ActionFailure<TField> | null;

/** A boolean sent by a form arrives as the string "true" or "false"; JSON sends a real boolean. */
export const formBoolean = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());
