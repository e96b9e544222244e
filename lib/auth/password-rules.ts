/** The shortest initial or reset password an ADMIN may set (NIST SP 800-63B asks for at least 8). */
export const MIN_PASSWORD_LENGTH = 12;
