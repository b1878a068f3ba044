import { describe, expect, it } from 'vitest';
import type { FindingsStatus } from '../../../contract/events';
import type { Finding, FindingRuleInfo } from '../../../contract/findings';
import {
  defaultParams,
  detailLabel,
  detailValue,
  filterFindings,
  formatFindingTime,
  overrides,
  paramsInWords,
  parseParamInput,
  pendingSentence,
  ruleLabel,
  sortFindings,
  toggle,
} from './findings-model';

const f = (o: Partial<Finding> & Pick<Finding, 'id'>): Finding => ({
  rule: 'night-access',
  severity: 'low',
  deviceId: 1,
  device: 'Phone',
  app: 'com.a',
  appName: null,
  category: 'photos',
  count: 1,
  first: null,
  last: null,
  title: '',
  caveat: '',
  evidence: [],
  details: {},
  ...o,
});

const items = [
  f({ id: 'a', severity: 'low', count: 5, app: 'com.b', last: '2024-05-01T10:00:00.000+08:00' }),
  f({
    id: 'b',
    severity: 'high',
    count: 2,
    rule: 'long-access',
    last: '2024-05-01T05:00:00.000+02:00',
  }),
  f({ id: 'c', severity: 'medium', count: 9, appName: 'Alpha', last: null }),
];

const infos: FindingRuleInfo[] = [
  {
    id: 'night-access',
    title: '',
    description: '',
    severity: '',
    caveat: '',
    params: [
      { name: 'from', default: '00:00', unit: 'HH:MM', description: '' },
      { name: 'to', default: '06:00', unit: 'HH:MM', description: '' },
    ],
  },
  {
    id: 'long-access',
    title: '',
    description: '',
    severity: '',
    caveat: '',
    params: [{ name: 'seconds', default: 60, unit: 's', description: '' }],
  },
];

describe('sorting and filtering findings', () => {
  it('sorts by severity rank, count and instants (not by text)', () => {
    expect(sortFindings(items, 'severity', 'desc').map((x) => x.id)).toEqual(['b', 'c', 'a']);
    expect(sortFindings(items, 'count', 'asc').map((x) => x.id)).toEqual(['b', 'a', 'c']);
    // 10:00+08:00 = 02:00Z comes before 05:00+02:00 = 03:00Z; null last.
    expect(sortFindings(items, 'last', 'asc').map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(sortFindings(items, 'app', 'asc').map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });

  it('filters by rule and severity; empty choices keep all', () => {
    expect(filterFindings(items, { rules: [], severities: [] })).toHaveLength(3);
    expect(
      filterFindings(items, { rules: ['long-access'], severities: [] }).map((x) => x.id),
    ).toEqual(['b']);
    expect(
      filterFindings(items, { rules: [], severities: ['low', 'medium'] }).map((x) => x.id),
    ).toEqual(['a', 'c']);
    expect(toggle(['a'], 'a')).toEqual([]);
    expect(toggle(['a'], 'b')).toEqual(['a', 'b']);
  });
});

describe('parameters', () => {
  it('lists defaults and keeps only changed values', () => {
    expect(defaultParams(infos)).toEqual({
      'night-access.from': '00:00',
      'night-access.to': '06:00',
      'long-access.seconds': 60,
    });
    expect(
      overrides(infos, { 'night-access.from': '00:00', 'long-access.seconds': 90, 'gone.x': 1 }),
    ).toEqual({ 'long-access.seconds': 90 });
  });

  it('checks typed values by the default type', () => {
    const secs = infos[1]!.params[0]!;
    const from = infos[0]!.params[0]!;
    expect(parseParamInput(secs, ' 90 ')).toEqual({ ok: true, value: 90 });
    expect(parseParamInput(secs, '-1').ok).toBe(false);
    expect(parseParamInput(secs, '').ok).toBe(false);
    expect(parseParamInput(from, '22:30')).toEqual({ ok: true, value: '22:30' });
    expect(parseParamInput(from, '24:30').ok).toBe(false);
  });
});

describe('labels and times of findings', () => {
  it('write first and last like every table: device-local, 24-hour, with the offset', () => {
    expect(formatFindingTime('2024-05-01T14:15:00.000+08:00')).toBe('2024-05-01 14:15:00 +08:00');
    expect(formatFindingTime('2024-05-01T02:15:09+08:00')).toBe('2024-05-01 02:15:09 +08:00');
    expect(formatFindingTime('2024-05-01T00:00:00Z')).toBe('2024-05-01 00:00:00 +00:00');
    expect(formatFindingTime(null)).toBe('—');
    expect(formatFindingTime('not a time')).toBe('not a time');
  });

  it('name rules by their title, else in words', () => {
    const infos = [{ id: 'night-access', title: 'Access at night' }] as FindingRuleInfo[];
    expect(ruleLabel('night-access', infos)).toBe('Access at night');
    expect(ruleLabel('regular-polling', infos)).toBe('Regular polling');
    expect(ruleLabel('long-access', null)).toBe('Long access');
  });

  it('put the details’ keys in words and their values in the app’s units', () => {
    expect(detailLabel('busiestNightSessions')).toBe('Sessions on the busiest night');
    expect(detailLabel('someNewFigure')).toBe('Some new figure');
    expect(detailValue('medianGapSeconds', 900)).toBe('15 min 00 s');
    expect(detailValue('totalSeconds', 730)).toBe('12 min 10 s');
    expect(detailValue('window', '00:00-06:00')).toBe('00:00–06:00 device-local');
    expect(detailValue('at', '2024-05-01T14:15:00.000+08:00')).toBe('2024-05-01 14:15:00 +08:00');
    expect(detailValue('firstNight', '2024-05-01')).toBe('2024-05-01');
    expect(detailValue('nights', 5)).toBe('5');
    expect(detailValue('flag', true)).toBe('yes');
    expect(detailValue('x', null)).toBe('—');
  });
});

describe('findings being computed', () => {
  const status = (o: Partial<FindingsStatus>): FindingsStatus => ({
    state: 'computing',
    params: {},
    done: 0,
    total: 0,
    message: null,
    ...o,
  });

  it('names the parameters they are computed with, by rule and parameter', () => {
    expect(paramsInWords({}, infos)).toBe('the default parameters');
    const titled = [
      { id: 'long-access', title: 'Long access', params: [] },
    ] as unknown as FindingRuleInfo[];
    expect(paramsInWords({ 'long-access.seconds': 90, 'night-access.from': '23:00' }, titled)).toBe(
      'these parameters: Long access, seconds 90; Night access, from 23:00',
    );
    // Before the rules are listed, a rule is named by its id in words.
    expect(paramsInWords({ 'frequent-access.perDay': 3 }, null)).toBe(
      'these parameters: Frequent access, per day 3',
    );
  });

  it('says they are being computed, how far along, or what failed', () => {
    expect(pendingSentence(status({}), infos)).toBe(
      'The findings are being computed with the default parameters. This list shows them when they are ready.',
    );
    expect(pendingSentence(status({ done: 2, total: 8 }), infos)).toMatch(
      /ready\. 2 of 8 devices are done\.$/,
    );
    expect(
      pendingSentence(
        status({
          state: 'failed',
          message: 'The findings could not be computed: the case is busy.',
        }),
        infos,
      ),
    ).toBe('The findings could not be computed: the case is busy.');
  });
});
