import type { Category } from '../../contract/categories';

/** A platform an identifier is used on. */
export type CatalogPlatform = 'ios' | 'android';

/**
 * How well an identifier is supported: `verified` when Apple's own list states it or at least
 * two independent sources do, `known` when one source states it.
 */
export type CatalogConfidence = 'verified' | 'known';

/** Keys of the sources in `CATALOG_SOURCES`. */
export type CatalogSourceKey =
  'apple-doc' | 'lzw' | 'autoglm' | 'mobileagent' | 'notifai' | 'uad' | 'yx' | 'kaka' | 'packetor';

/** One app of the catalog. */
export interface CatalogApp {
  key: string;
  /** The name people use in English (store name). */
  name: string;
  /** The app's own name in its home language (e.g. 微信), where it differs. */
  nativeName?: string;
  vendor: string;
  /** Other names a search should find (e.g. the localized name of a first-party app). */
  aliases?: readonly string[];
  /** Resources the app's function needs (a camera app -> camera); basis in `EXPECTATION_BASIS`. */
  expects?: readonly Category[];
  /** The kind of app, whose default expectations (`KIND_EXPECTATIONS`) add to `expects`. */
  kind?: AppKind;
}

/** Kinds of app with default expectations (see `KIND_EXPECTATIONS`). */
export type AppKind = 'messenger';

/** One resource an app is expected to use, and why. */
export interface Expectation {
  category: Category;
  /** Where the expectation comes from, in words (a category default says so). */
  basis: string;
}

/** `[identifier, platforms, app key, confidence, sources]`: one identifier as the data lists it. */
export type CatalogIdRow = readonly [
  string,
  readonly CatalogPlatform[],
  string,
  CatalogConfidence,
  readonly CatalogSourceKey[],
];

/** A source of the catalog's facts. */
export interface CatalogSource {
  key: CatalogSourceKey;
  title: string;
  /** Where the facts were read: a vendor page, or a repository file at a fixed commit. */
  url: string;
  /** What the source is, and so how much it proves. */
  kind: string;
  /** Whether this source is the vendor's own statement of its identifiers. */
  vendor: boolean;
}

/** One identifier of the catalog with its app. */
export interface CatalogEntry {
  id: string;
  platforms: readonly CatalogPlatform[];
  app: CatalogApp;
  confidence: CatalogConfidence;
  sources: readonly CatalogSourceKey[];
}

/** How an observed identifier matched the catalog. */
export type CatalogMatchKind = 'exact' | 'extension';

/** The catalog entry an observed identifier resolves to. */
export interface CatalogMatch {
  entry: CatalogEntry;
  kind: CatalogMatchKind;
  /** The Team ID removed from the front of the identifier, if any. */
  teamId: string | null;
  /** For an extension, the part after the parent's identifier (e.g. `sharetodesktop`). */
  extension: string | null;
}
