import type { Importer } from '../importer';
import { ARTIFACT_IMPORTERS } from './artifact-importers';
import { iosBackupImporter } from './backup-importer';

export { iosBackupImporter, iosBackupManifest } from './backup-importer';
export { ARTIFACT_IMPORTERS } from './artifact-importers';

/** The backup container and the importers of its artifacts (members), for the registry. */
export const IOS_BACKUP_IMPORTERS: readonly Importer[] = [iosBackupImporter, ...ARTIFACT_IMPORTERS];
