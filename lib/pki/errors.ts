import { AppError } from '@/lib/errors';

/**
 * Why a certificate, CSR, key or PKCS#12 file was refused. `message` is written for the person
 * who supplied the file; `code` is for code that wants to react (e.g. a form field error).
 */
export type PkiErrorCode =
  | 'EMPTY'
  | 'NOT_PEM_OR_DER'
  | 'WRONG_TYPE'
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'NO_SUBJECT'
  | 'WEAK_KEY'
  | 'UNSUPPORTED_KEY'
  | 'BAD_PASSWORD'
  | 'BAD_INPUT';

export class PkiError extends AppError<PkiErrorCode> {
  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PkiError';
  }
}

export function isPkiError(e: unknown): e is PkiError {
  return e instanceof PkiError || (e instanceof Error && e.name === 'PkiError' && 'code' in e);
}
