import { appPrivacyReportImporter } from './app-privacy-report';
import type { Importer } from './importer';

/** Every importer, in the order they are tried. Adding a format: one folder and one line here. */
export const IMPORTERS: readonly Importer[] = [appPrivacyReportImporter];

/** Picks the importer for a file from its first bytes, or null when none recognises it. */
export function pickImporter(head: Uint8Array, fileName: string): Importer | null {
  return IMPORTERS.find((i) => i.sniff(head, fileName).match) ?? null;
}
