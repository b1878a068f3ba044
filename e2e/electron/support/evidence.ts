import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** Two App Privacy Report access lines: one camera interval of one minute, written by the test. */
export function writeSyntheticReport(dir: string): string {
  const line = (kind: 'intervalBegin' | 'intervalEnd', timeStamp: string) =>
    JSON.stringify({
      accessor: { identifier: 'org.example.camera-app', identifierType: 'bundleID' },
      category: 'camera',
      identifier: 'E2E-INTERVAL-1',
      kind,
      timeStamp,
      type: 'access',
    });
  const file = path.join(dir, 'App_Privacy_Report_synthetic.ndjson');
  writeFileSync(
    file,
    `${line('intervalBegin', '2024-05-01T08:10:00.000+02:00')}\n${line('intervalEnd', '2024-05-01T08:11:00.000+02:00')}\n`,
  );
  return file;
}
