import type { ParseContext, SourceInput } from '../importer';
import { mapCache } from '../sources';

/** A file source over bytes held in memory (tests and members read whole). */
export function bytesSource(
  bytes: Uint8Array | string,
  name = 'input',
  fields: Partial<Omit<SourceInput, 'chunks' | 'kind'>> = {},
): SourceInput {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return {
    kind: 'file',
    path: fields.path ?? `/evidence/${name}`,
    name,
    size: data.length,
    locator: fields.locator ?? null,
    sha256: fields.sha256 ?? null,
    async *chunks() {
      yield data;
    },
  };
}

export { mapCache };

/** A parse context with nothing given by the examiner. */
export function testContext(fields: Partial<ParseContext> = {}): ParseContext {
  return {
    hints: {},
    signal: new AbortController().signal,
    cache: mapCache(),
    onProgress: () => undefined,
    ...fields,
  };
}
