// Which Node.js the command line can run under, checked before any native code is loaded.
// The SQLite module (better-sqlite3) ships prebuilt binaries built for Node-API 10. Under a Node.js
// without it (Node 20, and Node 22 before 22.14) loading the module does not throw: the process
// dies with a segmentation fault and no message, so the version has to be checked first.
// Keep this file to syntax that old Node.js versions parse, so they can print the message.

/** The oldest Node.js release line whose Node-API version is new enough. */
export const REQUIRED_NODE = '22.14';
/** The Node-API version better-sqlite3's prebuilt binaries are built for (NAPI_VERSION in its binding.gyp). */
export const REQUIRED_NODE_API = 10;

/**
 * Why this Node.js cannot run the CLI, as the message to print, or null when it can.
 * `versions` is `process.versions`: `napi` is the Node-API version the runtime supports (the ABI
 * that matters for a Node-API module; `modules`, the V8 ABI, is printed for reference only).
 */
export function runtimeProblem(versions) {
  const napi = Number(versions.napi || 0);
  const parts = String(versions.node || '0').split('.');
  const major = Number(parts[0]) || 0;
  const minor = Number(parts[1]) || 0;
  const [needMajor, needMinor] = REQUIRED_NODE.split('.').map(Number);
  const oldNode = major < needMajor || (major === needMajor && minor < needMinor);
  if (!oldNode && napi >= REQUIRED_NODE_API) return null;
  return (
    [
      `snoopscope: this is Node.js ${versions.node} (Node-API ${versions.napi || 'none'}, module ABI ${versions.modules || 'unknown'}).`,
      `Snoopscope's SQLite module (better-sqlite3) needs Node.js ${REQUIRED_NODE} or later (Node-API ${REQUIRED_NODE_API}); under this Node.js it would crash, so nothing was run.`,
      'Either:',
      `  - install Node.js ${REQUIRED_NODE} or later (https://nodejs.org, or \`nvm install 22\`) and run the command again, or`,
      '  - run it from the project folder through the Node.js 22 the project installs with its',
      '    dependencies: `npx snoopscope <command> ...` or `npm run cli -- <command> ...`.',
    ].join('\n') + '\n'
  );
}
