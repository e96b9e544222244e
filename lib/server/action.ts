import 'server-only';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { SessionUser } from '@/lib/auth/errors';
import type { Permission } from '@/lib/auth/permissions';
import { requirePermission } from '@/lib/auth/session';
import { AppError, CHECK_FIELDS, invalidInput } from '@/lib/errors';
import type { ActionFailure } from '@/lib/validation/action-state';
import { nulFieldOf, nulMessage } from './request-guard';

/*
 * The one wrapper of every server action: permission → input parsed by the form's zod schema → the
 * action → revalidation (and a redirect, if the result names one). An expected failure (AppError, bad
 * input) comes back as `{ ok: false, code, message, fieldErrors?, values?, details? }` for
 * `useActionState`; anything else is thrown on to error.tsx. An action is a public POST endpoint: the
 * permission is checked before anything is read, whatever the page that rendered the form checked.
 * Request-wide rules: a foreign origin or a body over 1 MB never gets here (proxy.ts answers 403 / 413
 * before Next parses the action); here a NUL byte in any field is refused before the schema, and a
 * schema a data function applies itself (ZodError) comes back as bad input rather than a crash.
 */

type Paths = readonly (string | readonly [path: string, type: 'layout' | 'page'])[];

/** The form's field names, as far as the schema's input type tells them. */
type FieldOf<TSchema extends z.ZodType> = z.input<TSchema> extends object ? Extract<keyof z.input<TSchema>, string> : string;

/** What an action's function returns: the message to show, and optionally `ok: false` for a partial success or where to go next. */
interface ActionResult {
  message: string;
  ok?: boolean;
  /** Send the browser here after revalidating (e.g. to what was just created). */
  redirectTo?: string;
}

/** What the action answers on success: its result with `ok: true`, unless the result says `ok` itself (a partial success). */
type Succeeded<TResult> = TResult extends { ok: boolean } ? TResult : TResult & { ok: true };

interface ActionSpec<TSchema extends z.ZodType> {
  /** Checked first; a refusal comes back as a failure with the reason ("You do not have permission to …"). */
  permission: Permission;
  /** Parses the input; without it the action takes none. */
  schema?: TSchema;
  /** FormData → what the schema parses. Default: each field's text (an array when the name repeats). A plain object is parsed as it is. */
  fromForm?: (form: FormData) => unknown;
  /**
   * The fields the form shows for the person to type in. After a failure their values are typed back
   * (React resets a form after its action), except passwords (any field named …password…); a message
   * about one of them is shown beside it under a summary, a message about any other field is the summary.
   */
  fields?: readonly FieldOf<TSchema>[];
  /** Paths to revalidate after a success (`[path, 'layout']` for a layout and everything under it), or a function of the input giving them. */
  revalidate?: Paths | ((input: z.output<TSchema>) => Paths);
}

/**
 * @example
 * export const createUserAction = action(
 *   { permission: 'users:manage', schema: CreateUserSchema, fields: ['email', 'name', 'role'], revalidate: ['/users'] },
 *   async (input, { user }) => ({ message: `Created ${(await createUser(user, input)).email}.` }),
 * );
 *
 * Called by `useActionState` as `(previous, formData)`; a client component may call it with a plain object
 * (`enrollDeviceAction(null, { … })`), which the schema parses the same way.
 */
export function action<TSchema extends z.ZodType = z.ZodUndefined, TResult extends ActionResult = ActionResult>(
  spec: ActionSpec<TSchema>,
  run: (input: z.output<TSchema>, context: { user: SessionUser }) => Promise<TResult>,
): (previous?: unknown, input?: FormData | z.input<TSchema>) => Promise<Succeeded<TResult> | ActionFailure<FieldOf<TSchema>>> {
  return async (_previous, raw) => {
    let input: z.output<TSchema>;
    let result: TResult;
    try {
      const user = await requirePermission(spec.permission);
      const nulField = nulFieldOf(raw);
      if (nulField) throw new AppError('BAD_INPUT', nulMessage(nulField), { fieldErrors: { [nulField.split('.')[0]!]: ['Contains a NUL byte (\\u0000).'] } });
      input = spec.schema ? parse(spec.schema, raw instanceof FormData ? (spec.fromForm ?? formFields)(raw) : raw) : (undefined as z.output<TSchema>);
      result = await run(input, { user });
    } catch (error) {
      if (error instanceof AppError) return failure(error, raw, spec.fields ?? []);
      if (error instanceof z.ZodError) return failure(invalidInput(error), raw, spec.fields ?? []);
      throw error;
    }
    const paths = typeof spec.revalidate === 'function' ? spec.revalidate(input) : (spec.revalidate ?? []);
    for (const path of paths) {
      if (typeof path === 'string') revalidatePath(path);
      else revalidatePath(path[0], path[1]);
    }
    if (result.redirectTo) redirect(result.redirectTo);
    return { ok: true, ...result } as Succeeded<TResult>;
  };
}

function parse<TSchema extends z.ZodType>(schema: TSchema, value: unknown): z.output<TSchema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error, { message: CHECK_FIELDS });
  return parsed.data;
}

/** A form's fields as text; Next's own `$ACTION_…` fields and files are left out. */
function formFields(form: FormData): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith('$ACTION')) continue;
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string');
    if (values.length) fields[key] = values.length === 1 ? values[0]! : values;
  }
  return fields;
}

function failure<TField extends string>(error: AppError, raw: unknown, fields: readonly string[]): ActionFailure<TField> {
  const fieldErrors = Object.fromEntries(Object.entries(error.fieldErrors ?? {}).filter(([, messages]) => messages?.length)) as Record<string, string[]>;
  const besideFields = Object.keys(fieldErrors).some((key) => fields.includes(key));
  const elsewhere = [...new Set(Object.entries(fieldErrors).flatMap(([key, messages]) => (fields.includes(key) ? [] : messages)))];
  const typed = fields.filter((key) => !/password/i.test(key));
  const values = typed.length && raw instanceof FormData ? Object.fromEntries(typed.map((key) => [key, text(raw, key)])) : undefined;
  return {
    ok: false,
    code: error.code,
    // Messages shown beside their fields are not repeated above them; one the form has no place for is.
    message: elsewhere.length ? elsewhere.join(' ') : besideFields ? CHECK_FIELDS : error.message,
    ...(Object.keys(fieldErrors).length ? { fieldErrors } : {}),
    ...(values ? { values } : {}),
    ...(error.details ? { details: error.details } : {}),
  } as ActionFailure<TField>;
}

function text(form: FormData, key: string): string {
  const value = form.get(key);
  return typeof value === 'string' ? value : '';
}
