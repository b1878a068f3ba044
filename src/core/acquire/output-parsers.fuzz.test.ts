import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import { adbSaid, adbStateProblem, isAdbSerial, parseAdbDevices, type AdbDevice } from './adb';
import { parseGetprop } from './adb-capture';
import { captureFolderName } from './android-watch';
import { classifyBackupLine, splitOutputChunk } from './device-backup';
import { describeInfoFailure, parseDeviceInfo, parseUdidList, type ToolRun } from './idevice-tools';

// A phone, or a tampered adb or libimobiledevice tool, can print anything: the parsers of their
// output must never throw, must give bounded, well-typed results, and must read back what a
// well-behaved tool prints.

const LINE_BREAKS = /[\r\n]/;

/** Text built from the pieces tool output is made of, plus anything at all. */
const noisyText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\n',
        '\r\n',
        '\r',
        ' ',
        '\t',
        ':',
        '[',
        ']',
        '%',
        '*',
        '-',
        '_',
        '.',
        'device',
        'no permissions',
        'usb:',
        'model:',
        'transport_id:',
        'List of devices attached',
        'error:',
        '* daemon started',
        '[ro.build.version.sdk]: [',
        'DeviceName: ',
        'ProductType:',
        '99',
        '100.5',
        '9'.repeat(400),
        '\u0000',
        '\u2028',
        '\uFEFF',
        '\u00A0',
        '😀',
        '\uD800',
      ),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

/** A well-behaved text with a few characters replaced, inserted or removed. */
function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat(),
    cut: fc.nat({ max: 3 }),
    put: fc.oneof(fc.constantFrom('', '\n', '\r', ' ', ':', ']', '%', '_', '\u0000'), fc.string()),
  });
  return fc.tuple(valid, fc.array(edit, { maxLength: 6 })).map(([text, edits]) => {
    let t = text;
    for (const e of edits) {
      const at = e.at % (t.length + 1);
      t = t.slice(0, at) + e.put + t.slice(at + e.cut);
    }
    return t;
  });
}

const eol = fc.constantFrom('\n', '\r\n');
const gap = fc.constantFrom(' ', '\t', '   ', ' \t ');
const lineCount = (text: string): number => text.split(/\r?\n/).length;

// ---- adb devices -l ----

const serial = fc.oneof(
  fc.stringMatching(/^[0-9A-Z]{6,20}$/),
  fc.stringMatching(/^emulator-\d{4}$/),
  fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([ip, port]) => `${ip}:${port}`),
  fc.stringMatching(/^adb-[0-9A-Za-z]{4,12}-[0-9A-Za-z]{4,8}\._adb-tls-connect\._tcp$/),
);
/** A state as adb prints it, and as it is read. */
const state = fc.oneof(
  fc
    .oneof(
      fc.constantFrom(
        'device',
        'unauthorized',
        'authorizing',
        'offline',
        'recovery',
        'sideload',
        'rescue',
        'bootloader',
        'connecting',
        'host',
        'unknown',
      ),
      // Words a later adb may print, a colon included, as long as they are not a listing key.
      fc.stringMatching(/^[a-z]{1,10}( [a-z]{1,6})?$/),
      fc
        .stringMatching(/^[a-z]{1,6}:[a-z]{0,6}$/)
        .filter((w) => !/^(usb|product|model|device|transport_id|features):/.test(w)),
    )
    .map((s) => ({ printed: s, read: s })),
  fc.constant({
    printed:
      'no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html]',
    read: 'no permissions',
  }),
);
const token = fc.stringMatching(/^[0-9A-Za-z_.-]{1,16}$/);
const listedDevice = fc.record({
  serial,
  state,
  usb: fc.option(fc.stringMatching(/^\d-\d(\.\d){0,3}$/)),
  product: fc.option(token),
  model: fc.option(token),
  deviceName: fc.option(token),
  transportId: fc.option(fc.nat({ max: 1_000_000 })),
});

type DeviceSpec = typeof listedDevice extends fc.Arbitrary<infer T> ? T : never;

/** One line of `adb devices -l` as adb prints it. */
function deviceLine(d: DeviceSpec, sep: string): string {
  const keys = [
    d.usb !== null ? `usb:${d.usb}` : null,
    d.product !== null ? `product:${d.product}` : null,
    d.model !== null ? `model:${d.model}` : null,
    d.deviceName !== null ? `device:${d.deviceName}` : null,
    d.transportId !== null ? `transport_id:${d.transportId}` : null,
  ].filter((k) => k !== null);
  return [d.serial, d.state.printed, ...keys].join(sep);
}

const adbListing = fc
  .tuple(
    fc.array(fc.tuple(listedDevice, gap), { maxLength: 6 }),
    eol,
    fc.subarray([
      "adb server version (41) doesn't match this client (39); killing...",
      '* daemon not running; starting now at tcp:5037',
      '* daemon started successfully',
    ]),
  )
  .map(([devices, end, chatter]) => ({
    devices: devices.map(([d]) => d),
    text:
      chatter.map((l) => l + end).join('') +
      `List of devices attached${end}` +
      devices.map(([d, sep]) => deviceLine(d, sep) + end).join('') +
      end,
  }));

/** Lines shaped like a listing's, with any words and any values for its keys. */
const shapedListing = fc
  .array(
    fc.tuple(
      fc.oneof(serial, fc.string({ maxLength: 8 })),
      fc.oneof(
        state.map((st) => st.printed),
        fc.string({ maxLength: 8 }),
      ),
      fc.array(
        fc.oneof(
          fc.string({ maxLength: 10 }),
          fc
            .tuple(
              fc.constantFrom('usb', 'product', 'model', 'device', 'transport_id', 'features'),
              fc.oneof(
                token,
                fc.stringMatching(/^\d{1,5}$/),
                fc
                  .tuple(fc.integer({ min: 1, max: 9 }), fc.nat({ max: 400 }))
                  .map(([d, n]) => `${d}`.repeat(n)),
                fc.string({ maxLength: 10 }),
              ),
            )
            .map(([k, v]) => `${k}:${v}`),
        ),
        { maxLength: 6 },
      ),
      gap,
      eol,
    ),
    { maxLength: 6 },
  )
  .map((rows) =>
    rows.map(([s, st, words, sep, end]) => [s, st, ...words].join(sep) + end).join(''),
  );

function expectWellFormedDevices(text: string, devices: AdbDevice[]): void {
  expect(devices.length).toBeLessThanOrEqual(lineCount(text));
  for (const d of devices) {
    expect(d.serial).toMatch(/^\S+$/);
    expect(typeof d.state).toBe('string');
    expect(d.state).not.toBe('');
    expect(d.state).not.toMatch(LINE_BREAKS);
    expect(d.problem).toBe(adbStateProblem(d.state));
    for (const v of [d.model, d.product, d.deviceName, d.usb]) {
      if (v !== null) {
        expect(typeof v).toBe('string');
        expect(v).not.toMatch(LINE_BREAKS);
      }
    }
    if (d.transportId !== null) {
      expect(Number.isSafeInteger(d.transportId)).toBe(true);
      expect(d.transportId).toBeGreaterThanOrEqual(0);
    }
  }
}

describe('adb output', () => {
  it('parseAdbDevices reads back a generated listing', () => {
    fc.assert(
      fc.property(adbListing, ({ devices, text }) => {
        expect(parseAdbDevices(text)).toEqual(
          devices.map((d) => ({
            serial: d.serial,
            state: d.state.read,
            model: d.model === null ? null : d.model.replace(/_/g, ' '),
            product: d.product,
            deviceName: d.deviceName,
            usb: d.usb,
            transportId: d.transportId,
            problem: adbStateProblem(d.state.read),
          })),
        );
        for (const d of devices) expect(isAdbSerial(d.serial)).toBe(true);
      }),
      fuzzOptions(300),
    );
  });

  it('parseAdbDevices gives well-formed devices for any output', () => {
    fc.assert(
      fc.property(
        fc.oneof(noisyText, shapedListing, mutated(adbListing.map((l) => l.text))),
        (text) => expectWellFormedDevices(text, parseAdbDevices(text)),
      ),
      fuzzOptions(500),
    );
  });

  it('adbSaid joins the meaningful lines into one and isAdbSerial admits only safe serials', () => {
    fc.assert(
      fc.property(noisyText, (text) => {
        const said = adbSaid(text);
        expect(said).not.toMatch(/\n/);
        expect(said.length).toBeLessThanOrEqual(text.length);
        const candidate = text.split(/\s+/)[0] ?? '';
        for (const s of [text, candidate]) {
          if (!isAdbSerial(s)) continue;
          expect(s).toMatch(/^[^\s-]\S*$/);
          expect(s.length).toBeLessThanOrEqual(200);
          expect([...s].every((c) => c >= ' ' && c !== '\u007f')).toBe(true);
        }
      }),
      fuzzOptions(500),
    );
  });

  it('captureFolderName gives one plain file name for any serial', () => {
    fc.assert(
      fc.property(
        fc.oneof(serial, fc.string({ unit: 'binary', maxLength: 40 })),
        fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }),
        (s, at) => {
          const name = captureFolderName(s, at);
          expect(name).toMatch(/^[A-Za-z0-9._-]*-\d{8}T\d{6}Z$/);
          expect(name.length).toBe(s.length + 17);
        },
      ),
      fuzzOptions(300),
    );
  });
});

// ---- getprop ----

const propKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}(\.[a-z0-9_]{1,8}){0,4}$/);
/** Any value getprop prints on one line: everything but line breaks. */
const propValue = fc
  .array(
    fc.oneof(
      fc.constantFrom(']', '[', ']: [', ' ', '\t', '/', 'x'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join('').replace(/[\r\n\u2028\u2029]/g, ''));
const getpropOutput = fc
  .tuple(fc.dictionary(propKey, propValue, { maxKeys: 12 }), eol)
  .map(([props, end]) => ({
    props,
    text: Object.entries(props)
      .map(([k, v]) => `[${k}]: [${v}]${end}`)
      .join(''),
  }));

describe('getprop output', () => {
  it('parseGetprop reads back generated properties', () => {
    fc.assert(
      fc.property(getpropOutput, ({ props, text }) => {
        expect(Object.fromEntries(parseGetprop(text))).toEqual(props);
      }),
      fuzzOptions(300),
    );
  });

  it('parseGetprop gives one-line keys and values for any output', () => {
    fc.assert(
      fc.property(fc.oneof(noisyText, mutated(getpropOutput.map((o) => o.text))), (text) => {
        const props = parseGetprop(text);
        expect(props.size).toBeLessThanOrEqual(lineCount(text));
        for (const [k, v] of props) {
          expect(k).not.toBe('');
          expect(k).not.toMatch(/[\]\n]/);
          expect(v).not.toMatch(/\n/);
          expect(text).toContain(`[${k}]: [${v}]`);
        }
      }),
      fuzzOptions(500),
    );
  });
});

// ---- idevice_id, ideviceinfo ----

const udid = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{40}$/),
  fc.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{16}$/),
);
/** `idevice_id -l` output; a phone listed over USB and the network is listed twice. */
const udidListing = fc
  .tuple(
    fc.array(udid, { minLength: 1, maxLength: 4 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ' (USB)', ' (Network)'), fc.boolean()), {
      maxLength: 6,
    }),
    eol,
  )
  .map(([pool, rows, end]) => {
    const listed = rows.map(([n, how, blank]) => ({ u: pool[n % pool.length]!, how, blank }));
    return {
      udids: [...new Set(listed.map((r) => r.u))],
      text: listed.map((r) => `${r.u}${r.how}${end}${r.blank ? end : ''}`).join(''),
    };
  });

const infoKey = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,20}$/);
const infoValue = fc
  .string({ maxLength: 30 })
  .map((v) => v.replace(/[\r\n\u2028\u2029]/g, '').trim());
const infoOutput = fc
  .tuple(fc.dictionary(infoKey, fc.tuple(infoValue, fc.boolean()), { maxKeys: 10 }), eol)
  .map(([entries, end]) => ({
    info: Object.fromEntries(Object.entries(entries).map(([k, [v]]) => [k, v])),
    // A value may be followed by an indented block (a nested dictionary), which is skipped.
    text: Object.entries(entries)
      .map(
        ([k, [v, nested]]) =>
          `${k}: ${v}${end}${nested ? ` ${k}: nested${end}  Deeper: 1${end}` : ''}`,
      )
      .join(''),
  }));

describe('libimobiledevice output', () => {
  it('parseUdidList reads back a generated list, once each', () => {
    fc.assert(
      fc.property(udidListing, ({ udids, text }) => {
        expect(parseUdidList(text)).toEqual(udids);
      }),
      fuzzOptions(300),
    );
  });

  it('parseUdidList gives distinct, well-formed UDIDs for any output', () => {
    fc.assert(
      fc.property(fc.oneof(noisyText, mutated(udidListing.map((l) => l.text))), (text) => {
        const udids = parseUdidList(text);
        expect(new Set(udids).size).toBe(udids.length);
        expect(udids.length).toBeLessThanOrEqual(lineCount(text));
        for (const u of udids) expect(u).toMatch(/^[0-9A-Za-z][0-9A-Za-z-]*$/);
      }),
      fuzzOptions(500),
    );
  });

  it('parseDeviceInfo reads back generated top-level values', () => {
    fc.assert(
      fc.property(infoOutput, ({ info, text }) => {
        expect(parseDeviceInfo(text)).toEqual(info);
      }),
      fuzzOptions(300),
    );
  });

  it('parseDeviceInfo gives plain one-line values for any output', () => {
    fc.assert(
      fc.property(fc.oneof(noisyText, mutated(infoOutput.map((o) => o.text))), (text) => {
        const info = parseDeviceInfo(text);
        expect(Object.getPrototypeOf(info)).toBe(Object.prototype);
        expect(Object.keys(info).length).toBeLessThanOrEqual(lineCount(text));
        for (const [k, v] of Object.entries(info)) {
          expect(k).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
          expect(typeof v).toBe('string');
          expect(v).not.toMatch(/\n/);
          expect(v).toBe(v.trim());
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      fuzzOptions(500),
    );
  });

  it('describeInfoFailure always says something, within what the tool printed', () => {
    const run = fc.record({
      code: fc.option(fc.integer({ min: -255, max: 255 })),
      stdout: noisyText,
      stderr: noisyText,
      timedOut: fc.boolean(),
      startError: fc.option(fc.string({ maxLength: 40 })),
    });
    fc.assert(
      fc.property(run, fc.integer({ min: 1, max: 600_000 }), (r: ToolRun, timeoutMs) => {
        const said = describeInfoFailure(r, timeoutMs);
        expect(typeof said).toBe('string');
        expect(said.trim()).not.toBe('');
        expect(said.length).toBeLessThanOrEqual(
          200 + r.stdout.length + r.stderr.length + (r.startError?.length ?? 0),
        );
      }),
      fuzzOptions(500),
    );
  });
});

// ---- idevicebackup2 ----

const progressLine = fc
  .tuple(
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 50 }),
    fc.constantFrom('Finished', '(1.2 MB of 3.4 GB)', ''),
    fc.boolean(),
  )
  .map(([percent, bar, tail, withBar]) => ({
    percent,
    line: `${withBar ? `[${'='.repeat(bar)}${' '.repeat(50 - bar)}] ` : ''}${String(percent).padStart(3)}% ${tail}`,
  }));

describe('idevicebackup2 output', () => {
  it('classifyBackupLine reads a generated progress line back', () => {
    fc.assert(
      fc.property(progressLine, ({ percent, line }) => {
        expect(classifyBackupLine(line)).toMatchObject({ kind: 'progress', percent });
      }),
      fuzzOptions(300),
    );
  });

  it('classifyBackupLine reads the passcode prompt, the success line and errors', () => {
    const said = fc.constantFrom(
      ['*** Waiting for passcode to be entered on the device ***', { kind: 'passcode' }],
      ['Backup Successful.', { kind: 'success', text: 'Backup Successful.' }],
      ['Requesting backup from device...', { kind: 'text', error: false }],
      [
        'ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)',
        { kind: 'text', error: true },
      ],
      ['Backup Failed (Error Code -207).', { kind: 'text', error: true }],
      ['Backup Failed.', { kind: 'text', error: true }],
    );
    fc.assert(
      fc.property(said, gap, gap, ([line, kind], before, after) => {
        expect(classifyBackupLine(before + line + after)).toMatchObject(kind);
      }),
      fuzzOptions(100),
    );
  });

  it('classifyBackupLine reads any NN% token up to 100 as progress, and others as text', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999 }),
        fc.option(fc.integer({ min: 0, max: 99 })),
        fc.constantFrom('', ' '),
        (whole, tenths, space) => {
          const n = tenths === null ? `${whole}` : `${whole}.${tenths}`;
          const line = classifyBackupLine(`Receiving files ${n}${space}%`);
          if (whole <= 100) expect(line).toMatchObject({ kind: 'progress', percent: whole });
          else expect(line).toMatchObject({ kind: 'text', error: false });
        },
      ),
      fuzzOptions(300),
    );
  });

  it('classifyBackupLine gives a well-typed result for any line', () => {
    fc.assert(
      fc.property(fc.oneof(noisyText, mutated(progressLine.map((p) => p.line))), (raw) => {
        const line = classifyBackupLine(raw);
        if (raw.trim() === '') {
          expect(line).toBeNull();
          return;
        }
        expect(line).not.toBeNull();
        switch (line!.kind) {
          case 'progress':
            expect(Number.isInteger(line!.percent)).toBe(true);
            expect(line!.percent).toBeGreaterThanOrEqual(0);
            expect(line!.percent).toBeLessThanOrEqual(100);
            expect(raw).toContain(line!.text);
            break;
          case 'success':
          case 'text':
            expect(line!.text).toBe(raw.trim());
            break;
          case 'passcode':
            expect(raw).toMatch(/waiting for passcode/i);
            break;
        }
      }),
      fuzzOptions(500),
    );
  });

  it('splitOutputChunk gives the lines of the whole output however it is chunked, each bounded', () => {
    fc.assert(
      fc.property(
        noisyText,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 2, max: 40 }),
        (text, cuts, max) => {
          const at = cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b);
          const lines: string[] = [];
          let pending = '';
          let from = 0;
          for (const c of [...at, text.length]) {
            const split = splitOutputChunk(pending, text.slice(from, c), max);
            from = c;
            for (const l of split.lines) expect(l.length).toBeLessThanOrEqual(max);
            expect(split.pending.length).toBeLessThanOrEqual(max);
            expect(split.pending).not.toMatch(/[\r\n]/);
            lines.push(...split.lines);
            pending = split.pending;
          }
          lines.push(pending);
          // A line keeps its end; a CRLF split over two chunks adds an empty line, which the
          // backup ignores as it ignores every blank line.
          const whole = text.split(/\r\n|\r|\n/);
          const nonEmpty = (ls: string[]) => ls.filter((l) => l !== '');
          expect(nonEmpty(lines).length).toBe(nonEmpty(whole).length);
          nonEmpty(lines).forEach((l, i) => {
            const w = nonEmpty(whole)[i]!;
            expect(w.endsWith(l)).toBe(true);
            expect(l.length).toBeGreaterThanOrEqual(Math.min(w.length, max) - 1);
          });
        },
      ),
      fuzzOptions(500),
    );
  });
});
