// Limits every process applies alike, so a client, the gateway and render never disagree about
// what is accepted (a file the gateway takes must not fail later in render).

/** 200 MiB: the largest document anyone accepts unless PL_MAX_FILE_BYTES changes it everywhere. */
export const MAX_FILE_BYTES = 200 * 1024 * 1024;
/** The environment variable that sets the file limit for the client, the gateway and render. */
export const MAX_FILE_BYTES_ENV = 'PL_MAX_FILE_BYTES';

/** The longest file name kept (DocSubmitSchema's limit); longer names keep their extension. */
export const MAX_FILE_NAME_LENGTH = 255;
/** The name a document gets when what it was sent with has nothing usable left. */
export const FALLBACK_FILE_NAME = 'document';

/**
 * A file name as a user may see it again: the base name only (no directories, neither `/` nor
 * `\`), no control characters (CR/LF would split log lines and headers), no leading dots,
 * at most MAX_FILE_NAME_LENGTH characters. Names are labels, never paths.
 */
export function safeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f"<>|:*?]/g, '_').replace(/^[.\s]+/, '').trim();
  if (!cleaned) return FALLBACK_FILE_NAME;
  if (cleaned.length <= MAX_FILE_NAME_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, MAX_FILE_NAME_LENGTH - extension.length) + extension;
}
