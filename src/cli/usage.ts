/** The `snoopscope --help` text. */
export const cliUsage = `Usage: snoopscope <command> <case> [options]

Commands:
  import <case> <path...> [--device <label>] [--timezone IANA] [--password-env VAR] [--json]
      Import App Privacy Report exports (NDJSON), iPhone backup folders and Android captures (a
      bugreport zip, an AndroidQF folder or zip, a folder of dumpsys/getprop outputs, a single
      dumpsys file, or a capture folder) into the case, one transaction per file. A backup or a
      capture is one transaction: the phone (bound by UDID or serial), its apps, and each
      artifact or evidence file as its own source. Creates the case file when it does not exist
      and the device when the label is new.
      --device <label>   the device the files come from (required for exports, which do not say;
                         a backup binds its phone's UDID to this label)
      --timezone IANA    the device's time zone when a backup or an Android capture does not
                         record it (an Android capture without one is refused, never guessed)
      --password-env VAR read an encrypted backup's password from environment variable VAR
                         (without it, the password is asked for on the terminal)
      --json             print an array with one outcome object per path

  summary <case> [filters] [--night HH:MM-HH:MM] [--json]
      Sessions per device, app and category: counts, open sessions, total and longest
      duration, sessions at night (default 00:00-06:00 device-local), first and last seen.

  events <case> [filters] [--kind KIND] [--format jsonl|csv]
      One record a line (default format jsonl). KIND: access, network (the default is both),
      reject (refused Android app ops), usage (Android usagestats events), op-history (Android
      app-op history buckets: counts per state in a window), permission (iOS TCC and
      location grants, Android package permissions), network-usage (per-process bytes from
      backups, never summed), profile (configuration profiles and their events), or all.
      CSV has a header row; sources are sha256:locator joined by ';'.

  devices <case> [--json]
      The devices of the case.

  backups [folder...] [--json] [--unmask] [--no-size]
      The iPhone backups in this computer's default locations (Finder, iTunes, Microsoft Store
      iTunes), or in the folders given (a backup folder or a folder of backups): device, model,
      iOS version, last backup, encrypted or not, size. Serial and UDID are masked unless --unmask.

  acquire --list [--json] [--unmask] [--tools-dir DIR]
      The iPhones connected over USB (name, model, iOS version, whether they trust this computer)
      and where libimobiledevice's idevice_id, ideviceinfo and idevicebackup2 were found, with
      what to install when one is missing. UDIDs are masked unless --unmask.
  acquire <folder> [--udid UDID] [--json] [--unmask] [--tools-dir DIR]
      Makes a fresh full backup of a connected iPhone into <folder>/<UDID> with idevicebackup2
      and prints its path (--json: {udid, backupPath, status, message}). --udid is needed when
      several phones are connected. Follow the phone's prompts (Trust, passcode); an encrypted
      backup keeps the password set on the phone. Ctrl-C cancels.
      --tools-dir DIR    the folder holding the libimobiledevice tools, searched before PATH

  capture <case> --adb [--serial S] [--device <label>] [--timezone IANA] [--watch MIN]
          [--out DIR] [--json] [--adb-path P]
      Captures an Android phone connected with USB debugging (adb): getprop, the phone's clock,
      dumpsys appops (with discrete history on Android 12+), usagestats and package, each saved
      byte for byte with its SHA-256 and a capture.json, into a new folder <serial>-<UTC time>
      under --out (default: captures/ beside the case), then imports that folder into the case.
      Lists the phones and exits 2 when several are connected (choose one with --serial).
      --device <label>   the device to import into (created when new)
      --timezone IANA    the phone's time zone when getprop does not record it
      --watch MIN        capture and import every MIN minutes until Ctrl-C (a phone keeps only the
                         last access per app op, so repeated captures build the timeline)
      --adb-path P       the adb executable or its folder, searched before PATH and the Android SDK
      --json             print {folder, capture, device, added, problems, outcomes}; with --watch,
                         one JSON line per capture

  compare <case> --devices A,B[,C...] | --periods DEVICE:FROM..TO,... [--night HH:MM-HH:MM] [--json]
      Compares devices, or periods of one device (dates YYYY-MM-DD, device-local, half-open; either
      may be left out): one row per app x category seen in any column, with each column's observed
      days (the local days its sources cover: a day outside them is no data, not no activity),
      sessions, sessions per observed day, night sessions, median and longest duration and
      background share (null where no session has an app state). Paired apps count as one.

  pair <case> <appA> <appB> [--remove]
      Pairs two app identifiers (e.g. an iOS app and its Android counterpart, com.tencent.xin and
      com.tencent.mm) so comparisons treat them as one app; stored in the case and audited.

  annotate <case> <recordId|findingId> [--star|--unstar] [--tag T]... [--untag T]...
           [--note N|--clear-note] [--json]
      Stars, tags or notes a record (s:<device>:<interval> sessions; p:, u:, m:, r:, e:, n: records,
      as listed by events) or a finding (f:<rule>:<device>:<app>:<category>), and prints the
      annotation. Tags are added and removed one by one; an annotation left with no star, tag or
      note is removed. Every change is recorded in the case's audit log. Opens the case for
      writing; never creates it.

  export <case> --out bundle.zip [filters] [--redact contexts,apps:A,B] [--include-sources]
         [--timesketch out.jsonl] [--unmask] [--examiner NAME] [--json]
         [--compare-devices A,B[,C...] | --compare-periods DEVICE:FROM..TO,...
          [--compare-night HH:MM-HH:MM]]
      Writes a signed evidence bundle: report.pdf, events.csv, network.csv, findings.csv,
      annotations.csv, optional copies of the sources, and manifest.json (tool, case, devices,
      sources, filter, export time, the sha256 of every file, the audit log) signed with this
      installation's Ed25519 key (fingerprint printed). --redact blanks network contexts and
      replaces the named apps; identifiers stay masked unless --unmask. --timesketch also writes
      the records in Timesketch's JSONL import format. --compare-devices / --compare-periods (the
      compare command's syntax, 2 to 12 columns) add the comparison: comparison.csv,
      comparison-columns.csv, a Comparison section in the report and the request in the manifest.

  verify <bundle.zip> [--fingerprint F] [--json]
      Checks a bundle: the manifest's signature, every file's sha256, no file missing or added.
      Names each file that does not match and exits 1 on any mismatch. Prints the signer's
      fingerprint; --fingerprint F fails when the bundle was signed by another key.

  findings <case> [filters] [--rule R]... [--param rule.name=value]... [--json]
      Findings: which app did something worth a closer look. One row per rule x device x app x
      category, most severe first. Rules: night-access, background-access, frequent-access,
      regular-polling, long-access, screen-off-access, profiling-domains, new-sensitive-permission
      (all by default). Parameters and defaults: night-access.from=00:00, night-access.to=06:00,
      frequent-access.perDay=10, regular-polling.minAccesses=10, regular-polling.maxCv=0.25,
      long-access.seconds=60, new-sensitive-permission.days=30. Each finding carries a caveat
      saying what the data does not prove.
      --rule R           run only this rule (repeatable)
      --param N=V        set a rule parameter, e.g. --param long-access.seconds=120 (repeatable)
      --json             print an array of {id, rule, severity, device, app, appName, category,
                         count, first, last, title, caveat, evidence, details}; evidence lists
                         record ids (s:…, p:…, e:…, n:…), at most 5,000 (details.evidenceTruncated)

Filters (summary, events):
  --device <label>        only this device (repeatable)
  --app <id-or-name>      app identifier as the source wrote it, or display name (repeatable)
  --category <name>       photos, camera, microphone, contacts, location, mediaLibrary,
                          screenRecording, calendar, callLog, sms, phoneState, bodySensors, other (repeatable)
  --from <T>, --to <T>    YYYY-MM-DD (device-local midnight) or an ISO-8601 instant with offset;
                          half-open [from, to); a session counts when it overlaps the range
  --hours HH:MM-HH:MM     sessions starting in this device-local time of day (may wrap midnight)
  --min-seconds <n>       closed sessions lasting at least n seconds
  --state <s>             foreground, background or unknown (repeatable): the app state Android
                          reported, else the one inferred from usage records (stateSource says which)
  --tag <t>               only records annotated with this tag (repeatable: any of them)
  --starred               only starred records
  Network, network-usage and profile rows are filtered by device, app and date range only;
  undated permission rows (a state at backup time) are left out when a date range is given.

Query commands open the case read-only and never create it.
Times are printed as YYYY-MM-DDTHH:mm:ss.SSS±HH:MM in the offset the device recorded.

Exit codes: 0 done; 1 done but some input refused, or an error; 2 usage error; 130 cancelled.
`;
