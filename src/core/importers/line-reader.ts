// Moved to core/formats/text: reading lines is a format concern that importers and readers share.
export * from '../formats/text/line-reader';
