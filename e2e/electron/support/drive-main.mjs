// Runs the built main bundle (argv[2]) against the stand-in electron module, drives it like a
// renderer would, and prints one line `RESULT <json>` with what it observed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [mainEntry, workDir] = process.argv.slice(2);
const result = {};
const waitFor = async (predicate, what, ms = 30_000) => {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

await import(pathToFileURL(mainEntry).href);
const state = globalThis.__fakeElectron;
await waitFor(
  () => state.windows.length === 1 && state.ipcHandlers.size === 1,
  'the window and the IPC handler',
);

const win = state.windows[0];
result.webPreferences = win.options.webPreferences;
result.preloadExists = existsSync(win.options.webPreferences.preload);
result.loadedUrl = win.loadedUrl;
result.sandboxed = state.sandboxed;
result.privilegedSchemes = state.privilegedSchemes;
result.windowOpen = win.webContents.openHandler?.({ url: 'https://example.invalid/' });
const nav = {
  url: 'https://example.invalid/',
  prevented: false,
  preventDefault() {
    this.prevented = true;
  },
};
win.webContents.emit('will-navigate', nav);
result.navigationPrevented = nav.prevented;

const invoke = [...state.ipcHandlers.values()][0];
const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
const foreign = {
  sender: win.webContents,
  senderFrame: { ...win.webContents.mainFrame, url: 'https://example.invalid/' },
};
result.foreign = await invoke(foreign, 'getAppInfo', {});
result.appInfo = await invoke(trusted, 'getAppInfo', {});
const casePath = path.join(workDir, 'bundle.snoopcase');
result.createCase = await invoke(trusted, 'createCase', { path: casePath });
result.caseFileExists = existsSync(casePath);
const device = await invoke(trusted, 'createDevice', { label: 'Phone A', platform: 'ios' });
const report = path.join(workDir, 'report.ndjson');
const line = (kind, timeStamp) =>
  JSON.stringify({
    accessor: { identifier: 'org.example.camera-app', identifierType: 'bundleID' },
    category: 'camera',
    identifier: 'B-1',
    kind,
    timeStamp,
    type: 'access',
  });
writeFileSync(
  report,
  `${line('intervalBegin', '2024-05-01T08:10:00.000+02:00')}\n${line('intervalEnd', '2024-05-01T08:11:00.000+02:00')}\n`,
);
result.startImport = await invoke(trusted, 'startImport', {
  paths: [report],
  deviceId: device.value?.id ?? 0,
});
await waitFor(
  () => state.sent.some((s) => s.payload?.event === 'onImportFinished'),
  'onImportFinished',
);
result.events = [...new Set(state.sent.map((s) => `${s.channel} ${s.payload?.event}`))];
result.importFinished = state.sent.find(
  (s) => s.payload?.event === 'onImportFinished',
).payload.payload;
result.summary = await invoke(trusted, 'querySummary', { filter: {} });

const serve = state.protocols.get('app');
const page = await serve(new Request('app://snoopscope/index.html'));
result.protocol = {
  status: page.status,
  csp: page.headers.get('content-security-policy'),
  type: page.headers.get('content-type'),
};
result.protocolEscape = (
  await serve(new Request('app://snoopscope/..%2f..%2fpackage.json'))
).status;
result.menu = state.menu.template.map((m) => m.label);

const log = path.join(workDir, 'user-data', 'logs', 'main.log');
const { app } = await import('electron');
app.quit();
await waitFor(() => state.quit, 'quit');
result.invokeHandlerRemoved = state.ipcHandlers.size === 0;
result.log = existsSync(log) ? readFileSync(log, 'utf8') : '';
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
