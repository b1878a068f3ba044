export {
  DEFAULT_WHOLE_READ_BYTES,
  DEFAULT_ZIP_LIMITS,
  ZipArchive,
  ZipError,
  fileKind,
  openZip,
  withZip,
  type ReadEntryLinesOptions,
  type ReadEntryOptions,
  type ZipEntry,
  type ZipErrorCode,
  type ZipLimits,
  type ZipRefusal,
  type OpenZipOptions,
} from './reader';
export { withPrivateTempDir } from './temp';
