// The command line's usage, declared once: `snoopscope --help`, `snoopscope <command> --help` and
// the README's command-line section (`npm run docs:cli`) are all rendered from these declarations,
// and a test checks each command's declared options against the options its parser accepts.

/** The commands, in the order the help lists them. */
export const COMMAND_NAMES = [
  'import',
  'summary',
  'events',
  'devices',
  'backups',
  'acquire',
  'capture',
  'compare',
  'pair',
  'name-app',
  'annotate',
  'findings',
  'export',
  'verify',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** One option as the help shows it. */
export interface OptionDoc {
  /** As written in the help, e.g. `--device <label>`. */
  flag: string;
  /** The option names (parseArgs keys) this entry documents. */
  names: string[];
  text: string;
}

/** One command's usage. */
export interface CommandDoc {
  name: CommandName;
  /** Synopsis lines without the leading `snoopscope `. */
  usage: string[];
  /** One line for the command list. */
  summary: string;
  /** What it does, in paragraphs. */
  description: string[];
  options: OptionDoc[];
  /** Whether the command takes the filter options. */
  filters: boolean;
}

/** The filter options shared by `summary`, `events`, `findings` and `export`. */
export const FILTER_DOCS: OptionDoc[] = [
  { flag: '--device <label>', names: ['device'], text: 'only this device (repeatable)' },
  {
    flag: '--app <id-or-name>',
    names: ['app'],
    text: 'app identifier as the source wrote it, or display name (repeatable)',
  },
  {
    flag: '--category <name>',
    names: ['category'],
    text: 'photos, camera, microphone, contacts, location, mediaLibrary, screenRecording, calendar, callLog, sms, phoneState, bodySensors or other (repeatable)',
  },
  {
    flag: '--from <T>, --to <T>',
    names: ['from', 'to'],
    text: 'YYYY-MM-DD (device-local midnight) or an ISO-8601 instant with offset; half-open [from, to); a session counts when it overlaps the range',
  },
  {
    flag: '--hours HH:MM-HH:MM',
    names: ['hours'],
    text: 'sessions starting in this device-local time of day (may wrap midnight)',
  },
  {
    flag: '--min-seconds <n>',
    names: ['min-seconds'],
    text: 'closed sessions lasting at least n seconds',
  },
  {
    flag: '--state <s>',
    names: ['state'],
    text: 'foreground, background or unknown (repeatable): the app state Android reported, else the one inferred from usage records (stateSource says which); App Privacy Report sessions are unknown',
  },
  {
    flag: '--device-state <s>',
    names: ['device-state'],
    text: "in-use, screen-off, locked or unknown (repeatable): the device's own state at the access's start (iOS PowerLog, Android usagestats); in-use is screen on and unlocked; an access no record covers is unknown",
  },
  {
    flag: '--tag <t>',
    names: ['tag'],
    text: 'only records annotated with this tag (repeatable: any of them)',
  },
  { flag: '--starred', names: ['starred'], text: 'only starred records' },
];

/** What the filters do to records other than access sessions. */
export const FILTER_NOTE =
  'Network, network-usage and profile rows are filtered by device, app and date range only; reject and usage rows by device, app (reject: category) and date range; undated permission rows (a state at backup time) are left out when a date range is given.';

const JSON_ARRAY = (what: string): OptionDoc => ({
  flag: '--json',
  names: ['json'],
  text: `print ${what} as JSON instead of a table`,
});

/** Every command's usage, in {@link COMMAND_NAMES} order. */
export const COMMAND_DOCS: readonly CommandDoc[] = [
  {
    name: 'import',
    usage: [
      'import <case> <path...> [--device <label>] [--timezone IANA] [--password-env VAR] [--json]',
    ],
    summary: 'import App Privacy Reports, iPhone backups and Android captures into a case',
    description: [
      'Imports App Privacy Report exports (NDJSON), iPhone backup folders and Android captures (a bugreport zip, an AndroidQF folder or zip, a folder of dumpsys/getprop outputs, a single dumpsys file, or a Snoopscope capture folder) into the case, one transaction per file; a backup or a capture is one transaction: the phone (bound by UDID or serial), its apps, and each artifact or evidence file as its own source. Creates the case and the device (when the label is new) with the first file stored: when nothing is imported, no case file and no device is left behind. A path that cannot be read is refused with its reason; the others still import. A file imported before (same SHA-256) is already-imported and changes nothing. Ctrl-C at any point rolls back the file being read, keeps the files before it, lists what was kept and exits 130. SNOOPSCOPE_DEBUG=1 shows the stack of an unexpected error.',
    ],
    options: [
      {
        flag: '--device <label>',
        names: ['device'],
        text: 'the device the files come from: required for App Privacy Report exports, which do not say; a backup binds its phone to this label',
      },
      {
        flag: '--timezone IANA',
        names: ['timezone'],
        text: 'the device time zone when a backup or an Android capture does not record it (an Android capture without one is refused, never guessed)',
      },
      {
        flag: '--password-env VAR',
        names: ['password-env'],
        text: "read an encrypted backup's password from environment variable VAR (without it, the password is asked for on the terminal)",
      },
      {
        flag: '--json',
        names: ['json'],
        text: 'print an array with one outcome object per file read',
      },
    ],
    filters: false,
  },
  {
    name: 'summary',
    usage: ['summary <case> [filters] [--night HH:MM-HH:MM] [--json]'],
    summary: 'sessions per device, app and category',
    description: [
      'Sessions per device, app and category: counts, open sessions, total and longest duration, sessions at night and first and last seen. Prints a table, or with --json an array of rows sorted by device, app and category.',
    ],
    options: [
      {
        flag: '--night HH:MM-HH:MM',
        names: ['night'],
        text: 'the night window, device-local (default 00:00-06:00; start inclusive, end exclusive; may wrap midnight)',
      },
      JSON_ARRAY('the rows'),
    ],
    filters: true,
  },
  {
    name: 'events',
    usage: ['events <case> [filters] [--kind KIND] [--format jsonl|csv]'],
    summary: 'the records, one a line, as JSON lines or CSV',
    description: [
      'Streams the records one a line, from one consistent snapshot of the case. CSV has a header row; a record’s sources are sha256:locator joined by ";".',
    ],
    options: [
      {
        flag: '--kind KIND',
        names: ['kind'],
        text: 'access, network, reject (refused Android app ops), usage (Android usagestats events), op-history (Android app-op history buckets: counts per state in a window), permission (iOS TCC and location grants, Android package permissions), network-usage (per-process bytes from backups, never summed), profile (configuration profiles and their events), or all; without --kind: access and network',
      },
      { flag: '--format jsonl|csv', names: ['format'], text: 'the output format (default jsonl)' },
    ],
    filters: true,
  },
  {
    name: 'devices',
    usage: ['devices <case> [--unmask] [--json]'],
    summary: 'the devices of a case',
    description: [
      'The devices of the case with their platform, model, OS version, time zone and number of imported sources. Identifiers from a backup (UDID, serial, IMEI, phone number) are masked unless --unmask.',
    ],
    options: [
      { flag: '--unmask', names: ['unmask'], text: 'show device identifiers in full' },
      JSON_ARRAY('the devices'),
    ],
    filters: false,
  },
  {
    name: 'backups',
    usage: ['backups [folder...] [--unmask] [--no-size] [--json]'],
    summary: 'the iPhone backups on this computer or in the folders given',
    description: [
      "Lists the iPhone backups in this computer's default locations (Finder, iTunes, Microsoft Store iTunes), or in the folders given (a backup folder or a folder of backups): device, model, iOS version, last backup, encrypted or not, size. Serial and UDID are masked unless --unmask.",
    ],
    options: [
      { flag: '--unmask', names: ['unmask'], text: 'show serial numbers and UDIDs in full' },
      {
        flag: '--no-size',
        names: ['no-size'],
        text: 'do not add up the size of each backup (faster)',
      },
      JSON_ARRAY('the backups'),
    ],
    filters: false,
  },
  {
    name: 'acquire',
    usage: [
      'acquire --list [--unmask] [--tools-dir DIR] [--json]',
      'acquire <folder> [--udid UDID] [--unmask] [--tools-dir DIR] [--json]',
    ],
    summary: 'list connected iPhones, or back one up with idevicebackup2',
    description: [
      "With --list: the iPhones connected over USB (name, model, iOS version, whether they trust this computer) and where libimobiledevice's idevice_id, ideviceinfo and idevicebackup2 were found, with what to install when one is missing.",
      'With a folder: makes a fresh full backup of a connected iPhone into <folder>/<UDID> with idevicebackup2 and prints its path. Follow the phone’s prompts (Trust, passcode); an encrypted backup keeps the password set on the phone. Ctrl-C cancels.',
    ],
    options: [
      { flag: '--list', names: ['list'], text: 'list the connected iPhones and the tools found' },
      {
        flag: '--udid UDID',
        names: ['udid'],
        text: 'the phone to back up, needed when several are connected',
      },
      { flag: '--unmask', names: ['unmask'], text: 'show UDIDs in full' },
      {
        flag: '--tools-dir DIR',
        names: ['tools-dir'],
        text: 'the folder holding the libimobiledevice tools, searched before PATH',
      },
      {
        flag: '--json',
        names: ['json'],
        text: 'print JSON (a backup: {udid, backupPath, status, message})',
      },
    ],
    filters: false,
  },
  {
    name: 'capture',
    usage: [
      'capture <case> --adb [--serial S] [--device <label>] [--timezone IANA] [--watch MIN] [--out DIR] [--adb-path P] [--json]',
    ],
    summary: 'capture an Android phone over adb and import it',
    description: [
      'Captures an Android phone connected with USB debugging: getprop, the phone’s clock, dumpsys appops (with discrete history on Android 12+), usagestats and package, and the battery history (dumpsys batterystats --history, at most 128 MiB; a phone that refuses it only leaves a warning), each saved byte for byte with its SHA-256 and a capture.json (a phone that prints more than 16 MiB of properties, 4 KiB for its clock or 2 GiB for a dump is stopped there and the capture fails), into a new folder <serial>-<UTC time> under --out, then imports that folder into the case. Lists the phones and exits 2 when several are connected and no --serial is given.',
    ],
    options: [
      { flag: '--adb', names: ['adb'], text: 'capture over adb (required)' },
      { flag: '--serial S', names: ['serial'], text: 'the phone to capture (see adb devices)' },
      {
        flag: '--device <label>',
        names: ['device'],
        text: 'the device to import into (created when new)',
      },
      {
        flag: '--timezone IANA',
        names: ['timezone'],
        text: 'the phone’s time zone when getprop does not record it',
      },
      {
        flag: '--watch MIN',
        names: ['watch'],
        text: 'capture and import every MIN minutes until Ctrl-C (a phone keeps only the last access per app op, so repeated captures build the timeline)',
      },
      {
        flag: '--out DIR',
        names: ['out'],
        text: 'where capture folders are written (default: captures/ beside the case)',
      },
      {
        flag: '--adb-path P',
        names: ['adb-path'],
        text: 'the adb executable or its folder, searched before PATH and the Android SDK',
      },
      {
        flag: '--json',
        names: ['json'],
        text: 'print {folder, capture, device, added, problems, outcomes}; with --watch, one JSON line per capture',
      },
    ],
    filters: false,
  },
  {
    name: 'compare',
    usage: [
      'compare <case> --devices A,B[,C...] | --periods DEVICE:FROM..TO,... [--night HH:MM-HH:MM] [--json]',
    ],
    summary: 'compare devices, or periods of one device',
    description: [
      'Compares devices, or periods of one device: one row per app × category seen in any column, with each column’s observed days (the device-local days its sources cover: a day outside them is no data, not no activity), sessions, sessions per observed day, night sessions, median and longest duration and background share (null where no session has an app state). Apps paired with `pair` count as one.',
    ],
    options: [
      { flag: '--devices A,B[,C...]', names: ['devices'], text: 'one column per device label' },
      {
        flag: '--periods DEVICE:FROM..TO,...',
        names: ['periods'],
        text: 'one column per period of a device; dates YYYY-MM-DD, device-local, TO excluded, either may be left out (A:..2024-05-03)',
      },
      {
        flag: '--night HH:MM-HH:MM',
        names: ['night'],
        text: 'the night window, device-local (default 00:00-06:00)',
      },
      JSON_ARRAY('the rows'),
    ],
    filters: false,
  },
  {
    name: 'pair',
    usage: ['pair <case> <appA> <appB> [--remove]'],
    summary: 'treat two app identifiers as one app when comparing',
    description: [
      'Pairs two app identifiers (an iOS app and its Android counterpart, e.g. com.tencent.xin and com.tencent.mm) so comparisons count them as one app. Stored in the case and recorded in its audit log.',
    ],
    options: [{ flag: '--remove', names: ['remove'], text: 'remove the pairing instead' }],
    filters: false,
  },
  {
    name: 'name-app',
    usage: [
      'name-app <case> <app-id> <name> [--device L]',
      'name-app <case> <app-id> --clear [--device L]',
    ],
    summary: 'give an app identifier a name in the case',
    description: [
      'Names an app identifier (as the app list shows it, e.g. com.example.tracker) on every device of the case that has it, or with --device on one device, and prints the name each device now shows and where it comes from. Names are chosen in this order: the device’s own backup, then yours, then the built-in catalog of well-known apps (docs/app-catalog.md), then the identifier itself. Every change is recorded in the case’s audit log.',
    ],
    options: [
      { flag: '--device L', names: ['device'], text: 'only the app on the device with this label' },
      { flag: '--clear', names: ['clear'], text: 'remove your name instead of setting one' },
    ],
    filters: false,
  },
  {
    name: 'annotate',
    usage: [
      'annotate <case> <recordId|findingId> [--star|--unstar] [--tag T]... [--untag T]... [--note N|--clear-note] [--json]',
    ],
    summary: 'star, tag or note a record or a finding',
    description: [
      'Stars, tags or notes a record (s:<device>:<interval> sessions; p:, u:, m:, r:, e:, n: records, as listed by events) or a finding (f:<rule>:<device>:<app>:<category>), and prints the annotation; without a change it prints the current one. An annotation left with no star, tag or note is removed. Every change is recorded in the case’s audit log. Opens the case for writing; never creates it.',
    ],
    options: [
      { flag: '--star', names: ['star'], text: 'star it' },
      { flag: '--unstar', names: ['unstar'], text: 'remove the star' },
      { flag: '--tag T', names: ['tag'], text: 'add a tag (repeatable)' },
      { flag: '--untag T', names: ['untag'], text: 'remove a tag (repeatable)' },
      { flag: '--note N', names: ['note'], text: 'set the note' },
      { flag: '--clear-note', names: ['clear-note'], text: 'remove the note' },
      { flag: '--json', names: ['json'], text: 'print the annotation as JSON' },
    ],
    filters: false,
  },
  {
    name: 'findings',
    usage: [
      'findings <case> [filters] [--rule R]... [--param rule.name=value]... [--json]',
      'findings [<case>] --explain [--rule R]... [--param rule.name=value]...',
      'findings <case> --key [--device D]... [--json]',
    ],
    summary: 'what deserves a closer look, with severity and caveats',
    description: [
      'Runs the findings rules over the filtered records: one finding per rule × device × app × category, most severe first, each with a plain-language title, its evidence record ids and a caveat saying what the data does not prove. Rules: night-access, background-access, frequent-access, regular-polling, long-access, screen-off-access, access-while-locked, profiling-domains, new-sensitive-permission (all by default). Parameters set in the app are kept in the case and used here; --param overrides them for this run.',
      'With --explain: prints each rule’s criteria, how its severity is decided, its parameters with their defaults (and, with a case, the values in force) and what it does not prove, without running it. The same text is in docs/findings.md.',
      'With --key: per device, the few apps that deserve attention (at most 5, medium or high severity), each in one sentence with the resource, how often per observed day, the device-local hours, the interval lengths and what the data cannot prove, then every other finding grouped by app. Reads every record of the devices named and the case’s parameters.',
    ],
    options: [
      { flag: '--rule R', names: ['rule'], text: 'run (or explain) only this rule (repeatable)' },
      {
        flag: '--param N=V',
        names: ['param'],
        text: 'set a rule parameter, e.g. --param long-access.seconds=120 (repeatable)',
      },
      {
        flag: '--explain',
        names: ['explain'],
        text: 'print the rules’ criteria instead of running them',
      },
      {
        flag: '--key',
        names: ['key'],
        text: 'print the key findings per device (with --json: an array of {deviceId, device, observedDays, key, others, intervalClusters})',
      },
      {
        flag: '--json',
        names: ['json'],
        text: 'print an array of {id, rule, severity, device, app, appName, category, count, first, last, title, caveat, evidence, details}; evidence lists at most 5,000 record ids (details.evidenceTruncated counts the rest)',
      },
    ],
    filters: true,
  },
  {
    name: 'export',
    usage: [
      'export <case> --out bundle.zip [filters] [--redact contexts,apps:A,B] [--include-sources] [--timesketch out.jsonl] [--unmask] [--examiner NAME] [--compare-devices A,B[,C...] | --compare-periods DEVICE:FROM..TO,... [--compare-night HH:MM-HH:MM]] [--json]',
    ],
    summary: 'write a signed evidence bundle',
    description: [
      'Writes a signed evidence bundle, one zip: report.pdf, events.csv, network.csv, findings.csv, annotations.csv, optional copies of the sources, and manifest.json (tool, case, devices, sources, filter, export time, the sha256 of every other file, the audit log with its check and how to recompute its hash chain), signed with this installation’s Ed25519 key (created on first use; its fingerprint is printed; see docs/signing-key.md). The export is recorded in the audit log.',
      '--redact cannot be combined with --include-sources (exit 2): the copies are the original evidence, byte for byte, and would still hold what is redacted. See docs/evidence-bundle.md.',
    ],
    options: [
      { flag: '--out bundle.zip', names: ['out'], text: 'the bundle to write (required)' },
      {
        flag: '--redact contexts,apps:A,B',
        names: ['redact'],
        text: 'replace network contexts with [redacted]; replace each named app’s identifier and display names, in any case, with redacted-app-N in every file written; not with --include-sources',
      },
      {
        flag: '--include-sources',
        names: ['include-sources'],
        text: 'copy the original sources into sources/, each checked against its recorded sha256',
      },
      {
        flag: '--timesketch out.jsonl',
        names: ['timesketch'],
        text: 'also write the filtered records in Timesketch’s JSONL import format',
      },
      {
        flag: '--unmask',
        names: ['unmask'],
        text: 'show device identifiers in full in the bundle',
      },
      { flag: '--examiner NAME', names: ['examiner'], text: 'the examiner named on the report' },
      {
        flag: '--compare-devices A,B[,C...]',
        names: ['compare-devices'],
        text: 'add a comparison of these devices (comparison.csv, comparison-columns.csv, a report section, the request in the manifest); 2 to 12 columns, over the whole case',
      },
      {
        flag: '--compare-periods DEVICE:FROM..TO,...',
        names: ['compare-periods'],
        text: 'add a comparison of periods, in the compare command’s syntax',
      },
      {
        flag: '--compare-night HH:MM-HH:MM',
        names: ['compare-night'],
        text: 'the comparison’s night window (default 00:00-06:00)',
      },
      {
        flag: '--json',
        names: ['json'],
        text: 'print {path, fingerprint, events, files, timesketch}',
      },
    ],
    filters: true,
  },
  {
    name: 'verify',
    usage: ['verify <bundle.zip> [--fingerprint F] [--json]'],
    summary: 'check an evidence bundle',
    description: [
      'Checks a bundle, reading it strictly: anything another zip tool could read differently (duplicate or twin names, hidden bytes, a comment, headers that disagree) and any signer key that is not Ed25519 make it fail with the reason, so check the file exactly as the examiner sent it. Then checks the manifest’s signature, the sha256 of every file it lists, that no file is missing or added, that every file carries the export time the signed manifest states (so the dates a zip tool shows were not changed), and recomputes the audit chain published in the manifest (naming the first broken entry; withheld entries it cannot recompute are printed as notes). Names each problem and exits 1 on any.',
      'Prints the signer’s fingerprint: compare it with one obtained separately, or pass it with --fingerprint (a forger can re-sign a bundle with their own key; --fingerprint makes that fail). Where the key lives and how to publish its fingerprint: docs/signing-key.md.',
    ],
    options: [
      {
        flag: '--fingerprint F',
        names: ['fingerprint'],
        text: 'fail unless the bundle was signed by the Ed25519 key with this fingerprint (spaces, colons and letter case ignored)',
      },
      {
        flag: '--json',
        names: ['json'],
        text: 'print the check as JSON: {ok, fingerprint, problems, notes, files}',
      },
    ],
    filters: false,
  },
];

/** Lines every help ends with. */
export const GENERAL_NOTES = [
  'Query commands open the case read-only and never create it.',
  'Times are printed as YYYY-MM-DDTHH:mm:ss.SSS±HH:MM in the offset the device recorded.',
  'Exit codes: 0 done; 1 done but some input refused, or an error; 2 usage error; 130 cancelled.',
];

/** The declaration of one command. */
export function commandDoc(name: CommandName): CommandDoc {
  const doc = COMMAND_DOCS.find((d) => d.name === name);
  if (!doc) throw new Error(`No usage declared for ${name}`);
  return doc;
}

/** Words of `text` in lines of at most `width` characters, each starting with `indent`. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

const WIDTH = 100;
const FLAG_COLUMN = 24;

/** Options as two columns: the flag, then its text wrapped beside it. */
function optionLines(options: OptionDoc[], indent: string): string[] {
  const out: string[] = [];
  const pad = indent + ' '.repeat(FLAG_COLUMN);
  for (const o of options) {
    const text = wrap(o.text, WIDTH, pad).map((l) => l.slice(pad.length));
    const head = indent + o.flag;
    if (head.length < pad.length - 1) {
      out.push(head.padEnd(pad.length) + (text[0] ?? ''));
      for (const l of text.slice(1)) out.push(pad + l);
    } else {
      out.push(head);
      for (const l of text) out.push(pad + l);
    }
  }
  return out;
}

/** A synopsis's words, an optional `[...]` group kept together unless it is too long for a line. */
function synopsisTokens(line: string): string[] {
  const tokens: string[] = [];
  let group: string[] = [];
  let depth = 0;
  for (const word of line.split(' ')) {
    group.push(word);
    for (const c of word) depth += c === '[' ? 1 : c === ']' ? -1 : 0;
    if (depth > 0) continue;
    const text = group.join(' ');
    if (text.length <= 60) tokens.push(text.replaceAll(' ', '\u0001'));
    else tokens.push(...group);
    group = [];
  }
  tokens.push(...group);
  return tokens;
}

/** A synopsis line after `first`, continued lines indented with `next`, never breaking an option group. */
function synopsisLines(line: string, first: string, next: string): string[] {
  return wrap(synopsisTokens(line).join(' '), WIDTH, next).map((l, i) =>
    (i === 0 ? first + l.slice(next.length) : l).replaceAll('\u0001', ' '),
  );
}

/** `snoopscope <command> --help`: that command's usage, options and filters. */
export function commandHelp(name: CommandName): string {
  const doc = commandDoc(name);
  const lines: string[] = [];
  doc.usage.forEach((u, i) =>
    lines.push(...synopsisLines(`snoopscope ${u}`, i === 0 ? 'Usage: ' : '       ', '         ')),
  );
  for (const p of doc.description) lines.push('', ...wrap(p, WIDTH));
  if (doc.options.length > 0) lines.push('', 'Options:', ...optionLines(doc.options, '  '));
  if (doc.filters) {
    lines.push(
      '',
      'Filters:',
      ...optionLines(FILTER_DOCS, '  '),
      ...wrap(FILTER_NOTE, WIDTH, '  '),
    );
  }
  lines.push('', ...GENERAL_NOTES);
  return lines.join('\n') + '\n';
}

/** `snoopscope --help`: every command with its synopsis and one line on what it does. */
export function overviewHelp(): string {
  const lines = ['Usage: snoopscope <command> [arguments] [options]', '', 'Commands:'];
  for (const doc of COMMAND_DOCS) {
    for (const u of doc.usage) lines.push(...synopsisLines(u, '  ', '      '));
    lines.push(...wrap(doc.summary, WIDTH, '      '));
  }
  lines.push(
    '',
    'Filters (summary, events, findings, export):',
    ...optionLines(FILTER_DOCS, '  '),
    '',
    'Run `snoopscope <command> --help` for a command’s options, `snoopscope --version` for the version.',
    ...GENERAL_NOTES,
  );
  return lines.join('\n') + '\n';
}

/** The `snoopscope --help` text. */
export const cliUsage = overviewHelp();
