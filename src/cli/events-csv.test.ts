import { describe, expect, it } from 'vitest';
import type { ProfileEvent } from '../contract/records';
import { parseCsv } from './test-support';
import { csvRecord, eventsCsvTable } from './events-command';

describe('events CSV columns', () => {
  it('treats numbers, flags and times as values and every other field as guarded text', () => {
    const kinds = Object.fromEntries(
      eventsCsvTable(['access', 'network', 'network-usage']).columns.map((c) => [c.name, c.kind]),
    );
    expect(kinds).toMatchObject({
      id: 'text',
      app: 'text',
      appName: 'text',
      domain: 'text',
      domainOwner: 'text',
      context: 'text',
      raw: 'text',
      sources: 'text',
      hits: 'value',
      durationSeconds: 'value',
      profiling: 'value',
      start: 'value',
      end: 'value',
      firstSeen: 'value',
      lastSeen: 'value',
      wifiIn: 'value',
    });
  });

  it('writes a list of names joined by ";" (not as provenance), guarded like any text', () => {
    const profile: ProfileEvent = {
      id: 'm:1',
      kind: 'profile',
      device: 'Phone',
      identifier: '-com.example.profile',
      displayName: '=Evil',
      organization: null,
      operation: 'installed',
      process: null,
      payloadTypes: ['com.apple.vpn.managed', '=x'],
      mdm: false,
      vpn: true,
      rootCertificate: false,
      time: '2024-05-01T00:00:00.000-05:00',
      sources: [{ sha256: 'ab'.repeat(32), locator: 'Manifest.db rowid 4' }],
    };
    const table = eventsCsvTable(['profile']);
    const [header, row] = parseCsv(table.header() + csvRecord(profile, table));
    const cells = Object.fromEntries(header!.map((h, i) => [h, row![i]]));
    expect(cells).toMatchObject({
      identifier: "'-com.example.profile",
      displayName: "'=Evil",
      payloadTypes: 'com.apple.vpn.managed;=x',
      vpn: 'true',
      time: '2024-05-01T00:00:00.000-05:00',
      sources: `${'ab'.repeat(32)}:Manifest.db rowid 4`,
    });
  });
});
