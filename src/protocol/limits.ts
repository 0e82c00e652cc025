/** Gitea cuts stored log lines at 64 KiB (MaxLineSize): one log row is one display line of at most this. */
export const MAX_ROW_BYTES = 64 * 1024;

// Gitea drops outputs over these limits without an error; both sides drop them first so the
// runner can say why and the coordinator behaves like Gitea.
/** The longest job output key, in UTF-8 bytes. */
export const MAX_OUTPUT_KEY_BYTES = 255;
/** The longest job output value, in UTF-8 bytes. */
export const MAX_OUTPUT_VALUE_BYTES = 1024 * 1024;
