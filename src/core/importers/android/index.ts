import type { Importer } from '../importer';
import { androidCaptureImporter } from './capture-importer';
import { androidDumpsysImporter } from './dumpsys-importer';

export { androidCaptureImporter } from './capture-importer';
export { androidDumpsysImporter } from './dumpsys-importer';

/** The Android importers: the capture container and the dumpsys text importer its members use. */
export const ANDROID_IMPORTERS: readonly Importer[] = [
  androidCaptureImporter,
  androidDumpsysImporter,
];
