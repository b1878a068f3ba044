import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A generated Android capture in the layouts of reference android-sources.md (Android 14, zone
// Europe/Lisbon, dump at 2025-06-18 19:20:45 local = 18:20:45 UTC): the worked example of §9 (a
// social app reads images in the background before it ever came to the foreground), a proxied
// contacts read, a rejected SMS read, usage events and package permissions. No real data.

export const CAPTURE_ZONE = 'Europe/Lisbon';
/** The dump instant (UTC ms). */
export const CAPTURE_MS = Date.UTC(2025, 5, 18, 18, 20, 45);

export function captureGetprop(o: { zone?: string | null; serial?: string } = {}): string {
  const zone = o.zone === undefined ? CAPTURE_ZONE : o.zone;
  return [
    '[ro.build.fingerprint]: [examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1234:user/release-keys]',
    '[ro.build.id]: [UP1A.231005.007]',
    '[ro.build.version.release]: [14]',
    '[ro.build.version.sdk]: [34]',
    '[ro.product.manufacturer]: [Google]',
    '[ro.product.model]: [Pixel 7]',
    `[ro.serialno]: [${o.serial ?? '2A281FDH300ABC'}]`,
    ...(zone ? [`[persist.sys.timezone]: [${zone}]`] : []),
    '',
  ].join('\n');
}

/** `dumpsys appops`, Android 11+ layout; `relativeShiftMs` moves the dump later (a later capture). */
export function captureAppops(relativeShiftMs = 0): string {
  const rel = (ms: number): string => {
    let t = ms + relativeShiftMs;
    const d = Math.floor(t / 86_400_000);
    t -= d * 86_400_000;
    const h = Math.floor(t / 3_600_000);
    t -= h * 3_600_000;
    const m = Math.floor(t / 60_000);
    t -= m * 60_000;
    const s = Math.floor(t / 1000);
    return `-${d ? `${d}d` : ''}${h}h${m}m${s}s${t - s * 1000}ms`;
  };
  const dump = Date.UTC(2025, 5, 18, 19, 20, 45); // wall clock
  const at = (text: string): string => {
    const [date, time] = text.split(' ') as [string, string];
    const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
    const [hh, mm, rest] = time.split(':') as [string, string, string];
    const wall = Date.UTC(
      y,
      mo - 1,
      d,
      Number(hh),
      Number(mm),
      Number(rest.split('.')[0]),
      Number(rest.split('.')[1] ?? 0),
    );
    return `${text} (${rel(dump - wall)})`;
  };
  return [
    'Current AppOps Service state:',
    '  Settings:',
    '    top_state_settle_time=+5s0ms',
    '',
    '  Uid u0a245:',
    '    state=cch',
    '    Package com.example.social:',
    '      READ_MEDIA_IMAGES (allow): ',
    '        null=[',
    `          Access: [bg-s] ${at('2025-06-18 07:41:07.412')}`,
    `          Access: [top-s] ${at('2025-06-18 16:07:55.228')} duration=+2s5ms`,
    '        ]',
    '      READ_SMS (ignore): ',
    '        null=[',
    `          Reject: [bg-s]${at('2025-06-18 07:41:09.000')}`,
    '        ]',
    '  Uid u0a187:',
    '    state=top',
    '    Package com.google.android.gm:',
    '      READ_CONTACTS (allow): ',
    '        null=[',
    `          Access: [fg-up] ${at('2025-06-18 12:05:36.918')}`,
    '        ]',
    '  Uid u0a60:',
    '    state=pers',
    '    Package com.android.providers.contacts:',
    '      READ_CONTACTS (allow): ',
    '        null=[',
    `          Access: [fg-upd] ${at('2025-06-18 12:05:36.918')} proxy[uid=10187, pkg=com.google.android.gm, attributionTag=null]`,
    '        ]',
    '',
  ].join('\n');
}

export function captureUsagestats(): string {
  return [
    'user=0',
    '  Last 24 hour events (timeRange="17/6/2025, 7:20 p. m. – 18/6/2025, 7:20 p. m." )',
    '    time="2025-06-18 07:40:36" type=DEVICE_STARTUP package=android flags=0x0',
    '    time="2025-06-18 07:41:04" type=ACTIVITY_RESUMED package=com.example.launcher class=com.example.launcher.Home instanceId=1 taskRootPackage=com.example.launcher taskRootClass=com.example.launcher.Home flags=0x0',
    '    time="2025-06-18 12:58:31" type=ACTIVITY_RESUMED package=com.example.social class=com.example.social.MainActivity instanceId=48210377 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0',
    '    time="2025-06-18 12:58:52" type=ACTIVITY_PAUSED package=com.example.social class=com.example.social.MainActivity instanceId=48210377 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0',
    '    time="2025-06-18 16:07:50" type=ACTIVITY_RESUMED package=com.example.social class=com.example.social.MainActivity instanceId=48210399 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0',
    '    time="2025-06-18 16:09:02" type=ACTIVITY_PAUSED package=com.example.social class=com.example.social.MainActivity instanceId=48210399 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0',
    '    time="2025-06-18 19:20:40" type=SCREEN_NON_INTERACTIVE package=android flags=0x0',
    '',
  ].join('\n');
}

export function capturePackages(): string {
  return [
    'Packages:',
    '  Package [com.example.social] (4f2a1b):',
    '    userId=10245',
    '    versionCode=412 minSdk=28 targetSdk=34',
    '    versionName=41.2.0',
    '    firstInstallTime=2025-06-01 10:00:00',
    '    lastUpdateTime=2025-06-10 09:30:00',
    '    installerPackageName=com.android.vending',
    '    requested permissions:',
    '      android.permission.READ_MEDIA_IMAGES',
    '      android.permission.CAMERA',
    '      android.permission.INTERNET',
    '    install permissions:',
    '      android.permission.INTERNET: granted=true',
    '    User 0: ceDataInode=1234 installed=true hidden=false suspended=false',
    '      runtime permissions:',
    '        android.permission.READ_MEDIA_IMAGES: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED ]',
    '        android.permission.CAMERA: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED ]',
    '',
  ].join('\n');
}

/** Writes a capture folder (getprop, appops, usagestats, package) and returns its path. */
export function writeAndroidCapture(
  dir: string,
  o: { zone?: string | null; relativeShiftMs?: number; serial?: string } = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'getprop.txt'), captureGetprop(o));
  writeFileSync(join(dir, 'appops.txt'), captureAppops(o.relativeShiftMs ?? 0));
  writeFileSync(join(dir, 'usagestats.txt'), captureUsagestats());
  writeFileSync(join(dir, 'package.txt'), capturePackages());
  return dir;
}

/** The capture's services as one `dumpsys` text, as AndroidQF saves it in `dumpsys.txt`. */
export function captureDumpsys(relativeShiftMs = 0): string {
  const rule = '-'.repeat(79);
  const at = '2025-06-18 19:20:45';
  const out: string[] = ['Currently running services:', '  appops', '  package', '  usagestats'];
  for (const [name, body] of [
    ['appops', captureAppops(relativeShiftMs)],
    ['package', capturePackages()],
    ['usagestats', captureUsagestats()],
  ] as const) {
    out.push(rule, `DUMP OF SERVICE ${name}:`, body.trimEnd());
    out.push(`--------- 0.050s was the duration of dumpsys ${name}, ending at: ${at}`);
  }
  return out.join('\n') + '\n';
}

/** AndroidQF's `packages.json` for the capture's apps. */
export function capturePackagesJson(): string {
  return JSON.stringify([
    { name: 'com.example.social', installer: 'com.android.vending', uid: 10245, files: [] },
    { name: 'com.google.android.gm', installer: 'null', uid: 10187, system: true, files: [] },
  ]);
}

/** Writes an AndroidQF output folder (getprop.txt, dumpsys.txt, packages.json); returns its path. */
export function writeAndroidQfCapture(dir: string, o: { zone?: string | null } = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'getprop.txt'), captureGetprop(o));
  writeFileSync(join(dir, 'dumpsys.txt'), captureDumpsys());
  writeFileSync(join(dir, 'packages.json'), capturePackagesJson());
  return dir;
}
