export {
  DEFAULT_WHOLE_READ_BYTES,
  DEFAULT_ZIP_LIMITS,
  ZipArchive,
  ZipError,
  openZip,
  withZip,
  type ReadEntryLinesOptions,
  type ReadEntryOptions,
  type ZipEntry,
  type ZipErrorCode,
  type ZipLimits,
  type ZipRefusal,
} from './reader';
export { withPrivateTempDir } from './temp';
