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
