// The one list of importers: the app, the import worker, the CLI and the file dialogs all read it.
// Adding a source format is one folder under importers/ and one line in IMPORTERS.
import { ANDROID_IMPORTERS } from './android';
import { appPrivacyReportImporter } from './app-privacy-report';
import { exportFolderImporter } from './export-folder';
import type { Importer, SniffProbe, SniffResult } from './importer';
import { IOS_BACKUP_IMPORTERS } from './ios-backup';
import { powerLogImporter } from './powerlog';
import { sysdiagnoseImporter } from './sysdiagnose';

/** Every importer. Detection asks each one; on equal confidence the earlier one wins. */
export const IMPORTERS: readonly Importer[] = [
  appPrivacyReportImporter,
  exportFolderImporter,
  ...IOS_BACKUP_IMPORTERS,
  ...ANDROID_IMPORTERS,
  powerLogImporter,
  sysdiagnoseImporter,
];

/** Below this confidence an importer's sniff is not taken as a recognition. */
export const MIN_CONFIDENCE = 0.25;

/** What every importer said about an input, and the one chosen (null: not recognised). */
export interface Detection {
  chosen: Importer | null;
  verdicts: { importer: Importer; result: SniffResult }[];
}

/** The importer with the given manifest id. */
export function importerById(id: string): Importer | undefined {
  return IMPORTERS.find((i) => i.manifest.id === id);
}

/**
 * Asks every importer whether it recognises the input; the most confident one at or above
 * MIN_CONFIDENCE is chosen. A sniff that throws counts as "no" with its message as the reason.
 */
export function detect(probe: SniffProbe, among: readonly Importer[] = IMPORTERS): Detection {
  const verdicts = among.map((importer) => {
    let result: SniffResult;
    try {
      result = importer.sniff(probe);
    } catch (e) {
      result = { confidence: 0, reason: e instanceof Error ? e.message : String(e) };
    }
    if (!Number.isFinite(result.confidence)) result = { ...result, confidence: 0 };
    return { importer, result };
  });
  let chosen: Importer | null = null;
  let best = MIN_CONFIDENCE;
  for (const v of verdicts)
    if (v.result.confidence >= best && (chosen === null || v.result.confidence > best)) {
      chosen = v.importer;
      best = v.result.confidence;
    }
  return { chosen, verdicts };
}

/** The sentence for an input no importer recognises: what it looks like, what each looked for. */
export function notRecognisedMessage(what: string, detection: Detection): string {
  const looked = [
    ...new Set(detection.verdicts.map((v) => v.importer.accepts.looksFor).filter((l) => l !== '')),
  ];
  return `Not a format Snoopscope reads: ${what}. It looked for ${looked.join('; ')}.`;
}

/** File-dialog filters derived from the manifests: one per importer that reads files, and all. */
export function dialogFilters(): { name: string; extensions: string[] }[] {
  const fileImporters = IMPORTERS.filter(
    (i) => i.accepts.input !== 'folder' && i.accepts.extensions.length > 0,
  );
  const all = [...new Set(fileImporters.flatMap((i) => i.accepts.extensions))];
  return [
    { name: 'Supported exports and captures', extensions: all },
    ...fileImporters.map((i) => ({ name: i.manifest.name, extensions: i.accepts.extensions })),
    { name: 'All files', extensions: ['*'] },
  ];
}
