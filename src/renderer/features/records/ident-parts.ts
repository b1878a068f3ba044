/**
 * An identifier (`com.android.providers.contacts`, `android.permission.READ_MEDIA_IMAGES`,
 * `maps.googleapis.com`) cut after each dot, underscore, slash or colon: the places where a
 * narrow column may break it so that it still reads as written.
 */
export function identParts(text: string): string[] {
  return text.split(/(?<=[._/:])/).filter((p) => p.length > 0);
}
