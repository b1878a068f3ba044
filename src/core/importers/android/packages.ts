// `dumpsys package` package blocks and AndroidQF `packages.json` (reference android-sources.md §3,
// §7). Only the `Packages:` section is read (not `Hidden system packages:`, whose blocks describe
// the factory copies of updated system apps). Times stay device-local (`LocalTime`).
import { parseLocalTime } from './local-time';
import type { LocalTime, ParseResult } from './types';

/** One permission of a package as `dumpsys package` prints it. */
export interface PackagePermission {
  name: string;
  /**
   * `requested`: listed in the manifest (no grant state); `install`: granted at install time
   * (normal/signature); `runtime`: the per-user dangerous permissions under `User N:`.
   */
  kind: 'requested' | 'install' | 'runtime';
  /** `granted=true|false`; null for requested permissions. */
  granted: boolean | null;
  /**
   * Grant flags as printed (`USER_SET`, `USER_SENSITIVE_WHEN_GRANTED`, …); for a requested
   * permission, its printed attributes (e.g. `restricted=true`).
   */
  flags: string[];
  /** The `User N:` the grant belongs to (runtime permissions); null otherwise. */
  user: number | null;
}

/** One `  Package [name] (hash):` block of the `Packages:` section. */
export interface AndroidPackage {
  packageName: string;
  /** The app id (`userId=` up to Android 11, `appId=` later): the uid without its user part. */
  userId: number | null;
  versionCode: string | null;
  versionName: string | null;
  minSdk: number | null;
  targetSdk: number | null;
  /** `firstInstallTime=`: in the block, or (Android 14+) under the first `User N:` carrying it. */
  firstInstallTime: LocalTime | null;
  lastUpdateTime: LocalTime | null;
  /** `installerPackageName=`; null when absent or printed as `null`. */
  installer: string | null;
  /** `initiatingPackageName=` (Android 11+): who asked for the install (`com.android.shell` = adb). */
  initiatingPackage: string | null;
  /** `installReason=` as printed (in the block, or under `User N:` on Android 14+). */
  installReason: string | null;
  /** `flags=[ SYSTEM HAS_CODE … ]` as printed. */
  appFlags: string[];
  permissions: PackagePermission[];
  /** 1-based line of the `Package [` header. */
  line: number;
}

/** One entry of AndroidQF's `packages.json`. */
export interface AndroidQfPackage {
  /** `name`: the package name. */
  name: string;
  /** `installer`; null when absent, empty or the string `"null"`. */
  installer: string | null;
  uid: number | null;
  /** The app id of `uid` (see `uidToAppId`). */
  appId: number | null;
  system: boolean | null;
  thirdParty: boolean | null;
  disabled: boolean | null;
  /** APK paths and SHA-256 digests as AndroidQF recorded them. */
  files: { path: string; sha256: string | null }[];
  /** 0-based position in the JSON array. */
  index: number;
}

type Problem = ParseResult<AndroidPackage>['problems'][number];

const PER_USER_RANGE = 100_000;
const FIRST_APPLICATION_UID = 10_000;
const FIRST_APP_ZYGOTE_ISOLATED_UID = 90_000;
const LAST_ISOLATED_UID = 99_999;

/**
 * The app id of a uid as printed by Android (`UserHandle.formatUid`): `u0a103` → 10103,
 * `u10a5` → 10005, `u0s1000` → 1000, `1000` → 1000, `1010103` → 10103. Isolated processes
 * (`u0i1`, `u0ai3`, or numeric app ids 90000–99999) belong to no package: null. So does anything
 * that is not a uid.
 */
export function uidToAppId(uid: string): number | null {
  const text = uid.trim();
  if (/^\d+$/.test(text)) {
    const appId = Number(text) % PER_USER_RANGE;
    if (appId >= FIRST_APP_ZYGOTE_ISOLATED_UID && appId <= LAST_ISOLATED_UID) return null;
    return appId;
  }
  const m = /^u(\d+)(a|s|i|ai)(\d+)$/.exec(text);
  if (!m) return null;
  const n = Number(m[3]);
  switch (m[2]) {
    case 'a':
      return n + FIRST_APPLICATION_UID < FIRST_APP_ZYGOTE_ISOLATED_UID
        ? n + FIRST_APPLICATION_UID
        : null;
    case 's':
      return n < FIRST_APPLICATION_UID ? n : null;
    default:
      return null;
  }
}

function orNull(value: string | undefined): string | null {
  const v = value?.trim();
  return v === undefined || v === '' || v === 'null' ? null : v;
}

function intOrNull(value: string | undefined): number | null {
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : null;
}

/** `flags=[ A|B C]` → `['A', 'B', 'C']`. */
function readFlagList(text: string): string[] {
  return text.split(/[|\s]+/).filter((f) => f !== '');
}

/** One token `key=value` (value without spaces) anywhere in a line. */
function pick(content: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(content);
  return m?.[1];
}

interface Block {
  pkg: AndroidPackage;
  indent: number;
  /** `firstInstallTime` / `installReason` seen under `User N:`, lowest user first. */
  perUser: Map<number, { firstInstallTime?: LocalTime; installReason?: string }>;
}

/** Where `PackagesParser` delivers what it reads. */
export interface PackagesSink {
  /** A package block, once its last line has been read. */
  package(pkg: AndroidPackage): void;
  problem(p: Problem): void;
}

/**
 * Reads `dumpsys package` line by line (see `parsePackages`); only the package block being read
 * is held.
 */
export class PackagesParser {
  private inSection = false;
  private block: Block | null = null;
  private list: { kind: PackagePermission['kind']; indent: number; user: number | null } | null =
    null;
  private userBlock: { user: number; indent: number } | null = null;

  constructor(private readonly sink: PackagesSink) {}

  /** Feeds one line (without its `\n`) and its 1-based number. */
  push(raw: string, lineNo: number): void {
    const rawLine = raw.trimEnd();
    const content = rawLine.trimStart();
    if (content === '') return;
    const indent = rawLine.length - content.length;

    if (indent === 0) {
      this.finish();
      this.inSection = content === 'Packages:';
      return;
    }
    if (!this.inSection) return;

    const header = /^Package \[([^\]]+)\] \(([0-9a-fA-F]+)\):$/.exec(content);
    if (header) {
      this.finish();
      this.block = {
        indent,
        perUser: new Map(),
        pkg: {
          packageName: header[1] ?? '',
          userId: null,
          versionCode: null,
          versionName: null,
          minSdk: null,
          targetSdk: null,
          firstInstallTime: null,
          lastUpdateTime: null,
          installer: null,
          initiatingPackage: null,
          installReason: null,
          appFlags: [],
          permissions: [],
          line: lineNo,
        },
      };
      return;
    }
    const current = this.block;
    if (current === null) return;
    if (indent <= current.indent) {
      // Another subsection of the service (e.g. `  APEX session state:`) ends the block.
      this.finish();
      return;
    }
    if (this.list && indent <= this.list.indent) this.list = null;
    if (this.userBlock && indent <= this.userBlock.indent) this.userBlock = null;

    if (this.list) {
      const perm = readPermission(content, this.list.kind, this.list.user);
      if (perm) current.pkg.permissions.push(perm);
      else this.sink.problem({ line: lineNo, message: `Unreadable permission line: ${content}` });
      return;
    }

    const user = /^User (\d+):/.exec(content);
    if (user) {
      this.userBlock = { user: Number(user[1]), indent };
      return;
    }
    if (content === 'requested permissions:') {
      this.list = { kind: 'requested', indent, user: null };
      return;
    }
    if (content === 'install permissions:') {
      this.list = { kind: 'install', indent, user: null };
      return;
    }
    if (content === 'runtime permissions:') {
      this.list = { kind: 'runtime', indent, user: this.userBlock?.user ?? null };
      return;
    }

    const readTime = (value: string, key: string, line: number): LocalTime | null => {
      const t = parseLocalTime(value.trim());
      if (!t)
        this.sink.problem({ line, message: `${key} "${value.trim()}" is not a date and time.` });
      return t;
    };
    if (this.userBlock && indent === this.userBlock.indent + 2) {
      const slot = current.perUser.get(this.userBlock.user) ?? {};
      const first = /^firstInstallTime=(.*)$/.exec(content);
      if (first) {
        const t = readTime(first[1] ?? '', 'firstInstallTime', lineNo);
        if (t) slot.firstInstallTime = t;
      }
      const reason = pick(content, 'installReason');
      if (reason !== undefined) slot.installReason = reason;
      current.perUser.set(this.userBlock.user, slot);
      return;
    }
    if (indent !== current.indent + 2) return;
    readField(current.pkg, content, lineNo, readTime);
  }

  /** Delivers the package block still open; call once after the last line. */
  end(): void {
    this.finish();
  }

  private finish(): void {
    const block = this.block;
    if (block) {
      const users = [...block.perUser.keys()].sort((a, b) => a - b);
      for (const u of users) {
        const v = block.perUser.get(u);
        if (block.pkg.firstInstallTime === null && v?.firstInstallTime) {
          block.pkg.firstInstallTime = v.firstInstallTime;
        }
        if (block.pkg.installReason === null && v?.installReason !== undefined) {
          block.pkg.installReason = v.installReason;
        }
      }
      this.sink.package(block.pkg);
    }
    this.block = null;
    this.list = null;
    this.userBlock = null;
  }
}

/**
 * Parses the `Packages:` section of `dumpsys package` (also the whole service output, or a whole
 * bugreport section: everything outside `Packages:` is skipped).
 *
 * Handles the Android 10 shape (`userId=`, `firstInstallTime=` in the block, `install
 * permissions:` then `User 0:` with `runtime permissions:`) and the Android 14–16 shape
 * (`appId=`, `installerPackageName=`, `initiatingPackageName=`, and `firstInstallTime=` /
 * `installReason=` under `User N:`). Unreadable times and permission lines become problems.
 */
export function parsePackages(text: string): ParseResult<AndroidPackage> {
  const records: AndroidPackage[] = [];
  const problems: Problem[] = [];
  const parser = new PackagesParser({
    package: (pkg) => records.push(pkg),
    problem: (p) => problems.push(p),
  });
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) parser.push(lines[index] ?? '', index + 1);
  parser.end();
  return { records, problems };
}

function readField(
  pkg: AndroidPackage,
  content: string,
  line: number,
  readTime: (value: string, key: string, line: number) => LocalTime | null,
): void {
  const time = /^(firstInstallTime|lastUpdateTime)=(.*)$/.exec(content);
  if (time) {
    const t = readTime(time[2] ?? '', time[1] ?? '', line);
    if (time[1] === 'firstInstallTime') pkg.firstInstallTime = t;
    else pkg.lastUpdateTime = t;
    return;
  }
  const flags = /^flags=\[(.*)\]$/.exec(content);
  if (flags) {
    pkg.appFlags = readFlagList(flags[1] ?? '');
    return;
  }
  const appId = pick(content, 'appId') ?? pick(content, 'userId');
  if (appId !== undefined && /^(appId|userId)=/.test(content)) pkg.userId = intOrNull(appId);
  const versionCode = pick(content, 'versionCode');
  if (versionCode !== undefined) {
    pkg.versionCode = orNull(versionCode);
    pkg.minSdk = intOrNull(pick(content, 'minSdk'));
    pkg.targetSdk = intOrNull(pick(content, 'targetSdk'));
  }
  const versionName = /^versionName=(.*)$/.exec(content);
  if (versionName) pkg.versionName = orNull(versionName[1]);
  const installer = /^installerPackageName=(.*)$/.exec(content);
  if (installer) pkg.installer = orNull(installer[1]);
  const initiating = /^initiatingPackageName=(.*)$/.exec(content);
  if (initiating) pkg.initiatingPackage = orNull(initiating[1]);
  const reason = /^installReason=(.*)$/.exec(content);
  if (reason) pkg.installReason = orNull(reason[1]);
}

/** `name`, `name: restricted=true`, `name: granted=true`, `name: granted=false, flags=[ A|B]`. */
function readPermission(
  content: string,
  kind: PackagePermission['kind'],
  user: number | null,
): PackagePermission | null {
  const m = /^([A-Za-z0-9_.$-]+)(?::\s*(.*))?$/.exec(content);
  if (!m) return null;
  const name = m[1] ?? '';
  const rest = m[2] ?? '';
  const grantedText = /(?:^|[\s,])granted=(true|false)\b/.exec(rest)?.[1];
  const granted = grantedText === undefined ? null : grantedText === 'true';
  const flagsText = /flags=\[([^\]]*)\]/.exec(rest)?.[1];
  let flags: string[] = flagsText === undefined ? [] : readFlagList(flagsText);
  if (kind === 'requested' && rest !== '') {
    flags = rest
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (kind !== 'requested' && granted === null) return null;
  return { name, kind, granted, flags, user: kind === 'runtime' ? user : null };
}

function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/**
 * Parses AndroidQF's `packages.json` into its package entries, in file order. The `installer`
 * string `"null"` means none; an entry without a name is skipped. Throws an Error naming the
 * problem when the text is not a JSON array.
 */
export function parsePackagesJson(text: string): AndroidQfPackage[] {
  if (text.trim() === '') throw new Error('packages.json is empty.');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`packages.json is not valid JSON (${why}).`, { cause: err });
  }
  if (!Array.isArray(data)) throw new Error('packages.json is not a JSON array.');
  const records: AndroidQfPackage[] = [];
  data.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) return;
    const e = entry as Record<string, unknown>;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    if (name === '') return;
    const uid =
      typeof e.uid === 'number' && Number.isInteger(e.uid)
        ? e.uid
        : typeof e.uid === 'string' && /^\d+$/.test(e.uid)
          ? Number(e.uid)
          : null;
    const files = Array.isArray(e.files)
      ? e.files.flatMap((f: unknown) => {
          if (typeof f !== 'object' || f === null) return [];
          const file = f as Record<string, unknown>;
          if (typeof file.path !== 'string') return [];
          return [
            { path: file.path, sha256: typeof file.sha256 === 'string' ? file.sha256 : null },
          ];
        })
      : [];
    records.push({
      name,
      installer: typeof e.installer === 'string' ? orNull(e.installer) : null,
      uid,
      appId: uid === null ? null : uidToAppId(String(uid)),
      system: bool(e.system),
      thirdParty: bool(e.third_party),
      disabled: bool(e.disabled),
      files,
      index,
    });
  });
  return records;
}
