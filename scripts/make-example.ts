// `npm run example`: writes the worked example's App Privacy Report export
// (examples/App_Privacy_Report_v4_2024-05-08T09_30_00.ndjson). Every app, domain and identifier is
// made up (example.* domains, org.example.* bundle ids); the shape follows the release format: access
// edges first, sorted by instant, then network rows grouped by app. Deterministic: the same file
// every run, so the example's documented output stays true.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { accessPair, intervalId, networkLine } from '../src/core/testing/apr-fixture';

/** The file the example ships, relative to the project folder. */
export const EXAMPLE_EXPORT = 'examples/App_Privacy_Report_v4_2024-05-08T09_30_00.ndjson';

/** The phone was at UTC+02:00 (central Europe, summer time) for the whole week. */
const OFFSET = 120;
const at = (day: number, hour: number, minute = 0, second = 0): number =>
  Date.UTC(2024, 4, day, hour, minute, second) - OFFSET * 60_000;

interface Access {
  app: string;
  category: string;
  ms: number;
  /** Null: still running at export, so the export holds only its begin. */
  durationMs: number | null;
}

/** The example week's accesses: each app behaves in a way one findings rule describes. */
function accesses(): Access[] {
  const list: Access[] = [];
  // A messenger reads the photo library a few seconds at a time at night, on three nights.
  for (const [day, hour, minute] of [
    [2, 1, 12],
    [2, 1, 40],
    [4, 2, 5],
    [6, 3, 30],
    [6, 3, 31],
  ] as const)
    list.push({
      app: 'org.example.chatter',
      category: 'photos',
      ms: at(day, hour, minute),
      durationMs: 4_000,
    });
  // ...and during the day when the owner sends a picture.
  for (const day of [1, 3, 5, 7])
    list.push({
      app: 'org.example.chatter',
      category: 'photos',
      ms: at(day, 18, 20),
      durationMs: 9_000,
    });
  // A weather app reads the location every 30 minutes through one afternoon.
  for (let i = 0; i < 12; i += 1)
    list.push({
      app: 'org.example.weatherly',
      category: 'location',
      ms: at(3, 13, 0) + i * 30 * 60_000,
      durationMs: 2_000,
    });
  // A navigation app uses the location for whole trips.
  list.push({
    app: 'org.example.routefinder',
    category: 'location',
    ms: at(4, 8, 5),
    durationMs: 27 * 60_000,
  });
  list.push({
    app: 'org.example.routefinder',
    category: 'location',
    ms: at(4, 17, 40),
    durationMs: 31 * 60_000,
  });
  // The camera app, briefly, twice.
  list.push({
    app: 'org.example.snapcam',
    category: 'camera',
    ms: at(5, 12, 3),
    durationMs: 45_000,
  });
  list.push({
    app: 'org.example.snapcam',
    category: 'camera',
    ms: at(7, 16, 44),
    durationMs: 20_000,
  });
  // A voice recorder still recording when the report was saved: an open session.
  list.push({
    app: 'org.example.voicememo',
    category: 'microphone',
    ms: at(8, 9, 25),
    durationMs: null,
  });
  return list;
}

interface Network {
  app: string;
  domain: string;
  first: number;
  last: number;
  hits: number;
  profiling?: string;
}

const NETWORK: Network[] = [
  {
    app: 'org.example.chatter',
    domain: 'media.chatter.example',
    first: at(1, 9),
    last: at(8, 9, 10),
    hits: 412,
  },
  {
    app: 'org.example.chatter',
    domain: 'metrics.adnetwork.example',
    first: at(1, 9, 1),
    last: at(8, 9, 11),
    hits: 96,
    profiling: 'Example Ad Network Ltd',
  },
  {
    app: 'org.example.chatter',
    domain: 'sdk.audience.example',
    first: at(2, 1, 12),
    last: at(6, 3, 31),
    hits: 7,
    profiling: 'Example Audience Inc.',
  },
  {
    app: 'org.example.weatherly',
    domain: 'api.weatherly.example',
    first: at(1, 7),
    last: at(8, 8, 30),
    hits: 188,
  },
  {
    app: 'org.example.weatherly',
    domain: 'ads.adnetwork.example',
    first: at(1, 7),
    last: at(8, 8, 30),
    hits: 54,
    profiling: 'Example Ad Network Ltd',
  },
  {
    app: 'org.example.routefinder',
    domain: 'tiles.routefinder.example',
    first: at(4, 8, 5),
    last: at(4, 18, 11),
    hits: 230,
  },
];

/** The example export's lines, in the order iOS writes them. */
export function exampleLines(): string[] {
  const edges: { ms: number; line: string }[] = [];
  accesses().forEach((a, n) => {
    const id = intervalId(n + 1, 2024);
    const [begin, end] = accessPair({
      app: a.app,
      category: a.category,
      id,
      ms: a.ms,
      offsetMin: OFFSET,
      durationMs: a.durationMs ?? 0,
    });
    edges.push({ ms: a.ms, line: begin });
    if (a.durationMs !== null) edges.push({ ms: a.ms + a.durationMs, line: end });
  });
  edges.sort((x, y) => x.ms - y.ms);
  const network = NETWORK.map((n) =>
    networkLine({
      app: n.app,
      domain: n.domain,
      firstMs: n.first,
      lastMs: n.last,
      offsetMin: OFFSET,
      hits: n.hits,
      domainType: n.profiling ? 1 : 2,
      domainOwner: n.profiling ?? '',
    }),
  );
  return [...edges.map((e) => e.line), ...network];
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename;
if (isMain) {
  const out = path.resolve(import.meta.dirname, '..', EXAMPLE_EXPORT);
  writeFileSync(out, exampleLines().join('\n') + '\n');
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
