import { z } from 'zod';

/**
 * What a form's server action returns to `useActionState`. Expected failures (bad input, a refusal,
 * a rule such as "the last admin") come back as `ok: false`; anything else is thrown to error.tsx.
 * `values` echoes what was typed (never a password) because React resets a form after its action.
 */
export type ActionState<TField extends string = string> =
  | { ok: true; message: string }
  | {
      ok: false;
      message?: string;
      fieldErrors?: Partial<Record<TField, string[]>>;
      values?: Partial<Record<TField, string>>;
    }
  | null;

export function invalidInput<T>(error: z.ZodError<T>, values?: Record<string, string>) {
  const fieldErrors = z.flattenError(error).fieldErrors as Record<string, string[] | undefined>;
  return {
    ok: false as const,
    message: 'Check the highlighted fields.',
    fieldErrors: Object.fromEntries(Object.entries(fieldErrors).filter(([, v]) => v?.length)) as Record<string, string[]>,
    values,
  };
}

/** A boolean sent by a form arrives as the string "true" or "false"; JSON sends a real boolean. */
export const formBoolean = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());
