import { withZip } from '../formats/zip';

/** Every entry of a zip, inflated, as name → bytes. */
export async function zipEntries(path: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await withZip(path, async (zip) => {
    for (const e of zip.entries)
      out.set(e.name, Buffer.from(await zip.readEntry(e, { maxBytes: 1 << 26 })));
  });
  return out;
}
