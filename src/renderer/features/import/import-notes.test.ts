import { describe, expect, it } from 'vitest';
import type { AppliedClock, ImportOutcome } from '../../../contract/records';
import { checkTimeZone } from '../android/time-zones';
import {
  clockLabel,
  importBlockers,
  skippedFiles,
  zonesApplied,
  type FilesFormState,
} from './import-notes';

const ready: FilesFormState = {
  paths: 1,
  typed: false,
  deviceChosen: true,
  hasDevices: true,
  zone: checkTimeZone(''),
};

const outcome = (o: Partial<ImportOutcome>): ImportOutcome => ({
  path: '/cases/App_Privacy_Report.ndjson',
  sha256: null,
  importer: 'ios-app-privacy-report',
  status: 'imported',
  counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 0 },
  duplicateLines: 0,
  alreadyStored: 0,
  warnings: [],
  error: null,
  sourceId: null,
  deviceId: 1,
  locator: null,
  ...o,
});

describe('importBlockers', () => {
  it('is null when the form can start', () => {
    expect(importBlockers(ready)).toBeNull();
  });

  it('names a missing file, typed or chosen', () => {
    expect(importBlockers({ ...ready, paths: 0 })).toBe(
      'To import, choose at least one file or folder (Choose files…, Choose folder…, or drop them on the window).',
    );
    expect(importBlockers({ ...ready, paths: 0, typed: true })).toBe(
      'To import, type the path of at least one file or folder.',
    );
  });

  it('names a missing device, to choose or to create', () => {
    expect(importBlockers({ ...ready, deviceChosen: false })).toBe(
      'To import, choose the device the files come from.',
    );
    expect(importBlockers({ ...ready, deviceChosen: false, hasDevices: false })).toBe(
      'To import, name the device the files come from and press Create device.',
    );
  });

  it('names a time zone that is not one, with every other missing piece', () => {
    const zone = checkTimeZone('Mars/Olympus');
    expect(importBlockers({ ...ready, zone })).toBe(
      'To import, fix the time zone: “Mars/Olympus” is not a time zone name (e.g. Europe/Lisbon).',
    );
    expect(importBlockers({ ...ready, paths: 0, typed: true, deviceChosen: false, zone })).toBe(
      'To import, type the path of at least one file or folder, choose the device the files come ' +
        'from and fix the time zone: “Mars/Olympus” is not a time zone name (e.g. Europe/Lisbon).',
    );
  });
});

describe('skippedFiles', () => {
  it('lists every file not stored with its reason, and leaves out the stored ones', () => {
    const list = skippedFiles([
      outcome({}),
      outcome({ path: '/x/notes.txt', status: 'refused', error: 'Unsupported file: a PDF.' }),
      outcome({ path: '/x/again.ndjson', status: 'already-imported' }),
      outcome({ path: '/x/late.ndjson', status: 'cancelled' }),
      outcome({ path: '/x/blank.ndjson', status: 'refused', error: '  ' }),
    ]);
    expect(list).toEqual([
      {
        name: 'notes.txt',
        path: '/x/notes.txt',
        status: 'refused',
        reason: 'Unsupported file: a PDF.',
      },
      {
        name: 'again.ndjson',
        path: '/x/again.ndjson',
        status: 'already-imported',
        reason:
          'Already in the case: a file with the same SHA-256 was imported before, so nothing was stored again.',
      },
      {
        name: 'late.ndjson',
        path: '/x/late.ndjson',
        status: 'cancelled',
        reason: 'The import was cancelled before this file was stored.',
      },
      {
        name: 'blank.ndjson',
        path: '/x/blank.ndjson',
        status: 'refused',
        reason: 'Refused; nothing of it was stored.',
      },
    ]);
  });

  it('names a backup part by where it lies in the backup', () => {
    const [part] = skippedFiles([
      outcome({
        path: '/b/ab/abcdef',
        importer: 'ios-backup-tcc',
        status: 'already-imported',
        locator: 'HomeDomain Library/TCC/TCC.db',
      }),
    ]);
    expect(part?.name).toBe('HomeDomain Library/TCC/TCC.db');
  });
});

describe('clockLabel and zonesApplied', () => {
  it('says which zone or offsets were applied and where they came from', () => {
    expect(clockLabel({ zone: null, offsets: [480], source: 'file' })).toBe(
      'UTC+08:00 (as written in the file, each time with its own offset)',
    );
    expect(clockLabel({ zone: null, offsets: [60, 120], source: 'file' })).toMatch(
      /^UTC\+01:00 and UTC\+02:00 /,
    );
    expect(clockLabel({ zone: 'Europe/Lisbon', offsets: [], source: 'examiner' })).toBe(
      'Europe/Lisbon (given at import)',
    );
    expect(clockLabel({ zone: 'Asia/Shanghai', offsets: [], source: 'device' })).toBe(
      'Asia/Shanghai (the phone’s own setting)',
    );
    expect(clockLabel({ zone: null, offsets: [-330], source: 'derived' })).toMatch(
      /^UTC-05:30 \(derived from the capture time/,
    );
  });

  it('groups the stored files by the clock applied and accounts for every stored file', () => {
    const shanghai: AppliedClock = { zone: 'Asia/Shanghai', offsets: [], source: 'device' };
    expect(
      zonesApplied([
        outcome({ path: '/c/appops.txt', importer: 'android-dumpsys', timeZone: shanghai }),
        outcome({ path: '/c/package.txt', importer: 'android-dumpsys', timeZone: shanghai }),
        outcome({ path: '/r/old.ndjson' }),
        outcome({ path: '/r/skip.ndjson', status: 'refused' }),
      ]),
    ).toEqual([
      { label: 'Asia/Shanghai (the phone’s own setting)', files: ['appops.txt', 'package.txt'] },
      { label: 'not recorded by this import', files: ['old.ndjson'] },
    ]);
  });
});
