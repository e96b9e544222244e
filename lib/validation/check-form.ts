import { type FormEvent, startTransition } from 'react';
import type { z } from 'zod';

/** Forms being checked: a second submit meanwhile is dropped. */
const checking = new WeakSet<HTMLFormElement>();

/**
 * The `onSubmit` of a `<form action={formAction}>` that checks the form in the browser with the schema its
 * action parses with, so a mistake shows without a round trip (STYLE.md habit 3). `parse` loads that schema
 * with `await import()`: zod reaches the browser on the first submit, not with the page (issue 12). The
 * submit waits for the check; when it passes, the form's data (with the button that submitted it) goes to
 * `dispatch`, the action's dispatcher from `useActionState`, in a transition, as the form itself would have
 * sent it. `onChecked` gets each field's messages, or null when the form goes on.
 */
export function checkBeforeAction<TField extends string>(
  parse: (data: FormData) => Promise<z.ZodSafeParseResult<unknown>>,
  onChecked: (errors: Partial<Record<TField, string[]>> | null) => void,
  dispatch: (data: FormData) => void,
): (event: FormEvent<HTMLFormElement>) => void {
  return (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (checking.has(form)) return;
    checking.add(form);
    const data = new FormData(form, (event.nativeEvent as SubmitEvent).submitter);
    void check<TField>(data, parse).then((errors) => {
      checking.delete(form);
      onChecked(errors);
      if (!errors) startTransition(() => dispatch(data));
    });
  };
}

async function check<TField extends string>(
  data: FormData,
  parse: (data: FormData) => Promise<z.ZodSafeParseResult<unknown>>,
): Promise<Partial<Record<TField, string[]>> | null> {
  let parsed: z.ZodSafeParseResult<unknown>;
  try {
    parsed = await parse(data);
  } catch {
    // The schema could not be loaded (offline, a new deployment): the action parses with it anyway.
    return null;
  }
  if (parsed.success) return null;
  const errors: Partial<Record<TField, string[]>> = {};
  for (const issue of parsed.error.issues) (errors[issue.path[0] as TField] ??= []).push(issue.message);
  return errors;
}
