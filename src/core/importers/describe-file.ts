/**
 * Names what a file looks like from its first bytes, for refusal messages:
 * "a zip archive", "an SQLite database", ... Never throws.
 */
export function describeFileHead(head: Uint8Array): string {
  if (head.length === 0) return 'an empty file';
  const ascii = Buffer.from(head.subarray(0, 64)).toString('latin1');
  if (ascii.startsWith('PK\x03\x04') || ascii.startsWith('PK\x05\x06')) return 'a zip archive';
  if (ascii.startsWith('SQLite format 3\0')) return 'an SQLite database';
  if (ascii.startsWith('bplist0')) return 'a binary property list (plist)';
  if (ascii.startsWith('\x1f\x8b')) return 'a gzip-compressed file';
  if (ascii.startsWith('%PDF-')) return 'a PDF document';
  if (ascii.startsWith('ANDROID BACKUP')) return 'an Android backup (.ab)';
  if (looksLikeUtf16(head))
    return 'UTF-16 text (App Privacy Reports are UTF-8: convert the file to UTF-8 first)';
  let text = Buffer.from(head).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (trimmed.length === 0) return 'an empty file (only white space)';
  if (
    /^<\?xml[\s\S]*?<(!DOCTYPE\s+)?plist/i.test(trimmed.slice(0, 400)) ||
    trimmed.startsWith('<plist')
  ) {
    return 'an XML property list (plist)';
  }
  if (trimmed.startsWith('<')) return 'an XML or HTML document';
  if (trimmed.startsWith('{') || trimmed.startsWith('['))
    return 'JSON that is not an App Privacy Report';
  if (head.includes(0)) return 'a binary file';
  const firstLine = trimmed.split(/\r?\n/, 1)[0] ?? '';
  if (/^[^,;\t]+([,;\t][^,;\t]*){2,}$/.test(firstLine)) return 'CSV or other delimited text';
  return 'plain text';
}

/**
 * A UTF-16 byte order mark, or text whose every other byte is zero (ASCII written as UTF-16
 * without a mark), as editors on Windows may save a file.
 */
function looksLikeUtf16(head: Uint8Array): boolean {
  if (
    head.length >= 2 &&
    ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
  )
    return true;
  const n = Math.min(head.length, 512) & ~1;
  if (n < 8) return false;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZero += 1;
    if (head[i + 1] === 0) oddZero += 1;
  }
  const pairs = n / 2;
  return Math.max(evenZero, oddZero) > pairs * 0.9 && Math.min(evenZero, oddZero) < pairs * 0.1;
}
