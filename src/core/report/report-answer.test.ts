import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../contract/findings';
import type { Device, SourceInfo } from '../../contract/records';
import { answerModel, busiestHours, deviceModelWords } from './pdf/answer-model';
import { filterTextInWords } from './pdf/filter-words';
import { intervalWording } from './pdf/format';
import { noDataDays } from './pdf/heatmap';
import { methodologySections } from './pdf/methodology';
import { renderReportPdf, type ReportInput, type ReportKeyFinding } from './report-pdf';

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 2, 4) / DAY; // 2024-03-04
const OFFSET = 480;
/** 2024-03-04 + `day` days at `hour`:`minute` device-local (UTC+08:00), as an instant. */
const at = (day: number, hour: number, minute = 0): number =>
  (D0 + day) * DAY + hour * 3_600_000 + minute * 60_000 - OFFSET * 60_000;

const tmp = mkdtempSync(join(tmpdir(), 'snoopscope-answer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const havePdftotext = spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error === undefined;

/** The text of some pages of a PDF (all when no range is given). */
function pdfText(pdf: Buffer, first?: number, last?: number): string {
  const file = join(tmp, `r-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  const range = first === undefined ? [] : ['-f', String(first), '-l', String(last ?? first)];
  return execFileSync('pdftotext', [...range, '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

function device(over: Partial<Device> = {}): Device {
  return {
    id: 1,
    label: 'Alice iPhone',
    platform: 'ios',
    model: 'iPhone15,2',
    osVersion: '17.3.1',
    timeZone: 'Asia/Shanghai',
    offsetMin: OFFSET,
    identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
    sources: 1,
    createdAt: 0,
    ...over,
  };
}

function finding(
  over: Partial<Finding> & { evidenceWhere?: string[] },
): ReportInput['findings'][number] {
  return {
    id: 'f:night-access:1:com.tencent.xin:photos',
    rule: 'night-access',
    severity: 'high',
    deviceId: 1,
    device: 'Alice iPhone',
    app: 'com.tencent.xin',
    appName: 'WeChat',
    category: 'photos',
    count: 3,
    first: '2024-03-04T01:12:00+08:00',
    last: '2024-03-10T03:40:00+08:00',
    title: 'WeChat read the photo library 3 times between 00:00 and 06:00 on 3 nights',
    caveat: 'An access interval is not proof that photos were uploaded.',
    evidence: ['s:1001', 's:1002', 's:1003'],
    evidenceWhere: [
      'App_Privacy_Report_v4_2024-03-11.ndjson line 12',
      'App_Privacy_Report_v4_2024-03-11.ndjson line 40',
      'App_Privacy_Report_v4_2024-03-11.ndjson line 77',
    ],
    details: {},
    ...over,
  };
}

function source(over: Partial<SourceInfo> = {}): SourceInfo {
  return {
    id: 1,
    deviceId: 1,
    importer: 'ios-app-privacy-report',
    importerVersion: '1',
    path: '/evidence/App_Privacy_Report_v4_2024-03-11.ndjson',
    fileName: 'App_Privacy_Report_v4_2024-03-11.ndjson',
    size: 1000,
    sha256: 'a'.repeat(64),
    importedAt: at(8, 9),
    counts: { lines: 100, access: 80, network: 20, sessions: 40, openSessions: 0, records: 0 },
    duplicateLines: 0,
    alreadyStored: 0,
    warnings: 0,
    dataFrom: at(0, 0, 30),
    dataTo: at(9, 23),
    ...over,
  };
}

/** A week and a half of one iPhone with two days without data (2024-03-07 and 03-08). */
function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    caseName: 'Case 2024-017',
    exportedAt: new Date(at(10, 9)),
    timeZone: 'Asia/Shanghai',
    toolVersion: '0.1.0',
    fingerprint: 'SHA256:9c1b',
    devices: [device()],
    filterText: JSON.stringify({
      devices: [1],
      apps: ['com.tencent.xin'],
      categories: ['photos', 'camera'],
      from: '2024-03-04',
      hours: { from: '00:00', to: '06:00' },
    }),
    summary: [
      {
        deviceId: 1,
        device: 'Alice iPhone',
        appId: 1,
        app: 'com.tencent.xin',
        appName: 'WeChat',
        category: 'photos',
        sessions: 16,
        openSessions: 0,
        totalMs: 60_000,
        longestMs: 45_000,
        nightSessions: 3,
        first: { ms: at(0, 1, 12), offsetMin: OFFSET },
        last: { ms: at(6, 3, 40), offsetMin: OFFSET },
      },
    ],
    findings: [
      finding({}),
      finding({
        id: 'f:long-access:1:com.apple.camera:camera',
        rule: 'long-access',
        severity: 'low',
        app: 'com.apple.camera',
        appName: 'Camera',
        category: 'camera',
        title: 'Camera read the camera for 45 seconds twice',
        evidence: ['s:2001'],
        evidenceWhere: ['App_Privacy_Report_v4_2024-03-11.ndjson line 90'],
      }),
    ],
    sources: [source()],
    heatmap: {
      fromDay: D0,
      toDay: D0 + 9,
      cells: [
        { day: D0, hour: 1, sessions: 1, busyMs: 45_000 },
        { day: D0 + 2, hour: 2, sessions: 1, busyMs: 45_000 },
        { day: D0 + 6, hour: 3, sessions: 1, busyMs: 45_000 },
      ],
      observed: [
        {
          deviceId: 1,
          label: 'Alice iPhone',
          offsetMin: OFFSET,
          ranges: [
            [D0, D0 + 2],
            [D0 + 5, D0 + 9],
          ],
        },
      ],
    },
    excerpts: {
      'f:night-access:1:com.tencent.xin:photos': [
        { ms: at(0, 1, 12), durationMs: 45_000 },
        { ms: at(2, 2, 5), durationMs: 45_000 },
        { ms: at(6, 3, 40), durationMs: 45_000 },
      ],
    },
    redaction: { contexts: false, apps: 0, identifiersMasked: true },
    ...over,
  };
}

describe('page 1 model', () => {
  it('names apps by their display names, with the identifier only beside the name', () => {
    const m = answerModel(input());
    // Only the high finding is key: the low one is left to the Findings section.
    expect(m.items.map((i) => [i.name, i.appId, i.resource])).toEqual([
      ['WeChat', 'com.tencent.xin', 'Photos'],
    ]);
    expect(m.otherFindings).toBe(1);
    expect(m.items[0]!.sentence.startsWith('WeChat, photos:')).toBe(true);
  });

  it('says how often per observed day and in which hours, from the cited evidence', () => {
    const [item] = answerModel(input()).items;
    // 16 sessions over 8 observed days; the three cited intervals began at 01, 02 and 03 o'clock.
    expect(item!.sentence).toContain(
      '16 access intervals recorded over 8 observed days (2 per observed day)',
    );
    expect(item!.sentence).toContain('3 of the 3 cited intervals began between 01:00 and 04:00');
    expect(item!.hourCounts.slice(0, 5)).toEqual([0, 1, 1, 1, 0]);
  });

  it('names the hours one by one when a few intervals are hours apart', () => {
    const [item] = answerModel(
      input({
        excerpts: {
          'f:night-access:1:com.tencent.xin:photos': [
            { ms: at(1, 8, 5), durationMs: 1_000 },
            { ms: at(1, 17, 40), durationMs: 1_000 },
          ],
        },
      }),
    ).items;
    expect(item!.sentence).toContain(
      'the 2 cited intervals began in the hours 08:00–09:00 and 17:00–18:00',
    );
  });

  it('cites each key finding by its id and its evidence by source file and line', () => {
    const [item] = answerModel(input()).items;
    expect(item!.findingId).toBe('f:night-access:1:com.tencent.xin:photos');
    expect(item!.evidence).toEqual([
      { id: 's:1001', where: 'App_Privacy_Report_v4_2024-03-11.ndjson line 12' },
    ]);
    expect(item!.evidenceTotal).toBe(3);
  });

  it('names the days without data between the observed days', () => {
    const [d] = answerModel(input()).devices;
    expect(d!.observedDays).toBe(8);
    expect(d!.noData).toEqual([{ first: '2024-03-07', last: '2024-03-08' }]);
    expect(d!.noDataDays).toBe(2);
  });

  it('lists only the devices the filter keeps', () => {
    const two = input({ devices: [device(), device({ id: 2, label: 'Bob Pixel' })] });
    expect(answerModel(two).devices.map((d) => d.label)).toEqual(['Alice iPhone']);
    expect(answerModel({ ...two, heatmap: undefined }).devices.map((d) => d.label)).toEqual([
      'Alice iPhone',
      'Bob Pixel',
    ]);
  });

  it('falls back to the sources for the observed days when the heatmap has none', () => {
    const [d] = answerModel(input({ heatmap: undefined })).devices;
    expect(d!.observed).toEqual([{ first: '2024-03-04', last: '2024-03-13' }]);
    expect(d!.noDataDays).toBe(0);
  });

  it('says a device without any access log has no observed day', () => {
    const m = answerModel(
      input({
        heatmap: undefined,
        sources: [
          source({
            importer: 'ios-backup-tcc',
            counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 5 },
          }),
        ],
      }),
    );
    expect(m.devices[0]!.observedDays).toBe(0);
  });

  it('uses the given key findings, in their order, with their sentences', () => {
    const key: ReportKeyFinding = {
      findingId: 'f:long-access:1:com.apple.camera:camera',
      deviceId: 1,
      app: 'com.apple.camera',
      appName: 'Camera',
      category: 'camera',
      severity: 'low',
      sentence: 'Camera used the camera 2 times on 1 of 8 observed days.',
      sessions: 2,
      observedDays: 8,
      perObservedDay: 0.25,
      hours: null,
      first: null,
      last: null,
    };
    const m = answerModel(input({ keyFindings: [key] }));
    expect(m.items.map((i) => i.sentence)).toEqual([key.sentence]);
    expect(m.night).toEqual({ from: '00:00', to: '06:00' });
    const late = answerModel(
      input({ keyFindings: [{ ...key, window: { from: '23:00', to: '05:00' } }] }),
    );
    expect(late.night).toEqual({ from: '23:00', to: '05:00' });
    expect(m.otherFindings).toBe(1);
  });

  it('finds the fewest hours holding three in four accesses, across midnight', () => {
    const counts = Array.from({ length: 24 }, () => 0);
    counts[23] = 2;
    counts[0] = 2;
    counts[12] = 1;
    expect(busiestHours(counts)).toEqual({ from: 23, to: 1, n: 4 });
    expect(busiestHours(Array.from({ length: 24 }, () => 0))).toBeNull();
  });

  it('writes the device model by name and the OS version, or says they were not recorded', () => {
    expect(deviceModelWords(device())).toBe('iPhone 14 Pro (iPhone15,2), iOS 17.3.1');
    expect(
      deviceModelWords(device({ model: 'Pixel 8', platform: 'android', osVersion: '14' })),
    ).toBe('Pixel 8, Android 14');
    expect(deviceModelWords(device({ model: null, osVersion: null }))).toBe(
      'Model not recorded, iOS version not recorded',
    );
  });
});

describe('the filter in words', () => {
  const devices = [{ id: 1, label: 'Alice iPhone' }];
  it('describes each field of a JSON filter and never prints the JSON', () => {
    const words = filterTextInWords(input().filterText, devices);
    expect(words).toBe(
      'Devices: Alice iPhone. Apps: com.tencent.xin. Resources: Photos and Camera. From 2024-03-04 on. Only accesses between 00:00 and 06:00, device-local.',
    );
    expect(filterTextInWords('{"devices":"x"}', devices)).not.toContain('{');
    expect(filterTextInWords('{broken', devices)).toBe('{broken');
  });
  it('words the device-state filter as the device recorded it', () => {
    expect(filterTextInWords('{"deviceStates":["locked","unknown"]}', devices)).toBe(
      "Only accesses whose device state at their start, per the device's own logs, was locked and unknown (no record covers it).",
    );
  });
  it('says when there is no filter', () => {
    expect(filterTextInWords('', devices)).toBe('None: every record of the case.');
    expect(filterTextInWords('none (the whole case)', devices)).toBe(
      'None: every record of the case.',
    );
    expect(filterTextInWords('{}', devices)).toBe('None: every record of the case.');
  });
});

describe('interval wording', () => {
  it('never says an interval is how long something was read', () => {
    expect(intervalWording('Camera read the camera for 45 seconds twice')).toBe(
      'Camera accessed the camera in an interval of 45 seconds twice',
    );
    expect(intervalWording('Maps accessed the location twice for more than 60 s')).toBe(
      'Maps accessed the location twice in intervals longer than 60 s',
    );
    const plain = 'WeChat read the photo library 3 times between 00:00 and 06:00 on 3 nights';
    expect(intervalWording(plain)).toBe(plain);
  });
});

describe('methodology', () => {
  it('covers only the source kinds in the case', () => {
    const headings = (importers: string[]): string[] =>
      methodologySections(importers).map((s) => s.heading);
    expect(headings(['ios-app-privacy-report'])).toEqual([
      'iOS App Privacy Report',
      'Findings and times',
    ]);
    expect(headings(['android-dumpsys', 'ios-backup-tcc'])).toEqual([
      'iOS backups',
      'Android app ops',
      'Findings and times',
    ]);
  });
});

describe.skipIf(!havePdftotext)('the rendered report', () => {
  it('states the answer on page 1: question, app names, hours, evidence, gaps, filter in words', async () => {
    const pdf = await renderReportPdf(input());
    const page1 = pdfText(pdf, 1).replace(/\s+/g, ' ');
    expect(page1).toContain(
      'Which apps touched photos, camera, microphone, contacts and location on this phone, when, and how often?',
    );
    expect(page1).toContain('WeChat | Photos');
    expect(page1).not.toContain('com.tencent.xin | Photos');
    expect(page1).toContain('s:1001 (App_Privacy_Report_v4_2024-03-11.ndjson line 12)');
    expect(page1).toContain('no data on 2 days: 2024-03-07 to 2024-03-08');
    expect(page1).toContain('iPhone 14 Pro (iPhone15,2), iOS 17.3.1');
    expect(page1).toContain('Devices: Alice iPhone. Apps: com.tencent.xin.');
    const all = pdfText(pdf);
    expect(all).not.toContain('{"');
    expect(all).not.toMatch(/read [^.\n]* for 45/);
    expect(all).toContain('no data');
    expect(all).not.toContain('Android app ops');
  });

  it('holds five key findings, the observed period, the filter and the caveats on page 1', async () => {
    const base = input();
    const lead = base.findings[0]!;
    const apps = ['WeChat', 'Weibo', 'Douyin', 'Taobao', 'Alipay'];
    const findings = apps.map((appName, i) =>
      finding({
        id: `f:night-access:1:com.example.app${i}:photos`,
        app: `com.example.app${i}`,
        appName,
        evidence: lead.evidence,
        evidenceWhere: [...(lead.evidenceWhere ?? [])],
      }),
    );
    const excerpts = Object.fromEntries(findings.map((f) => [f.id, base.excerpts![lead.id]!]));
    const page1 = pdfText(await renderReportPdf({ ...base, findings, excerpts }), 1);
    for (const app of apps) expect(page1).toContain(`${app} | Photos`);
    expect(page1).toContain('Observed period');
    expect(page1.replace(/\s+/g, ' ')).toContain(
      'an export covers at most the week before it was saved.',
    );
  });

  it('shows the identifier where an app name is in a script the fonts cannot draw', async () => {
    const base = input();
    const arabic = finding({ app: 'com.whatsapp', appName: 'واتساب' });
    const page1 = pdfText(await renderReportPdf({ ...base, findings: [arabic] }), 1);
    expect(page1).toContain('com.whatsapp | Photos');
    expect(page1).toContain('com.whatsapp, photos:');
    expect(page1).not.toContain('واتساب');
  });

  it('says no answer can be given when no access log covers any day', async () => {
    const pdf = await renderReportPdf(
      input({
        findings: [],
        heatmap: { fromDay: null, toDay: null, cells: [], observed: [] },
        sources: [],
      }),
    );
    expect(pdfText(pdf, 1).replace(/\s+/g, ' ')).toContain('No answer can be given: no access log');
  });

  it('keeps the observed period, filter and caveats on page 1 when long key findings do not all fit', async () => {
    const long =
      'read the photo library 24 times on 12 of 14 observed days (1.7 a day on average), in the device-local hours 02:00–03:00 and 14:00–15:00, in intervals of about 45 s (a length iOS gives many apps); the records cannot prove what the app did with the photo library, what it took, or that anything left the phone, nor that the owner was asleep.';
    const keyFindings: ReportKeyFinding[] = ['WeChat', 'Weibo', 'Douyin', 'Taobao', 'Alipay'].map(
      (appName, i) => ({
        findingId: `f:night-access:1:com.example.app${i}:photos`,
        deviceId: 1,
        app: `com.example.app${i}`,
        appName,
        category: 'photos',
        severity: 'high',
        sentence: `${appName} ${long}`,
        sessions: 24,
        observedDays: 14,
        perObservedDay: 1.7,
        hours: null,
        first: null,
        last: null,
      }),
    );
    const page1 = pdfText(await renderReportPdf(input({ keyFindings })), 1).replace(/\s+/g, ' ');
    expect(page1).toContain('WeChat | Photos');
    expect(page1).toMatch(/\d more key findings? and 2 other findings of lower rank/);
    expect(page1).toContain('an export covers at most the week before it was saved.');
  });

  it('marks each day without data on the heatmap page, and names what the heatmap counts', async () => {
    const pages = pdfText(await renderReportPdf(input())).split('\f');
    const heat = pages.find((p) => p.includes('Access sessions by hour and date'))!;
    expect(heat.match(/no data/g)?.length).toBeGreaterThanOrEqual(3); // legend and two days
    expect(heat.replace(/\s+/g, ' ')).toContain(
      'on Alice iPhone, that began in that device-local hour',
    );
    expect(noDataDays(input().heatmap!, D0, D0 + 9)).toEqual(new Set([D0 + 3, D0 + 4]));
    expect(noDataDays({ ...input().heatmap!, observed: undefined }, D0, D0 + 9)).toBeNull();
  });

  it('prints device labels only as the report was given them (the heatmap’s are not redacted)', async () => {
    const base = input();
    const pdf = await renderReportPdf({
      ...base,
      heatmap: {
        ...base.heatmap!,
        observed: base.heatmap!.observed!.map((o) => ({ ...o, label: 'Unredacted Label' })),
      },
    });
    expect(pdfText(pdf)).not.toContain('Unredacted Label');
  });

  it('renders a source whose data range holds a time no date can hold', async () => {
    const pdf = await renderReportPdf(
      input({ sources: [source({ dataFrom: 0, dataTo: Number.NaN }), source({ dataTo: 9e15 })] }),
    );
    expect(pdfText(pdf)).toContain('not a valid time');
  });
});
