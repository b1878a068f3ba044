// Checks, without Electron and without a network, that the desktop packages can ship
// better-sqlite3 as it comes from npm (electron-builder `npmRebuild: false`):
//   1. the prebuilt binaries for darwin-arm64, darwin-x64, win32-x64 and win32-arm64 exist and
//      are the right format and CPU for their name;
//   2. each is a Node-API module: it exports `napi_register_module_v1` (and
//      `node_api_module_get_api_version_v1`), exports no ABI-bound `node_register_module_v*`,
//      and imports nothing from the host but `napi_*` / `node_api_*` functions, so it loads
//      in any runtime with a compatible Node-API version, Electron included;
//   3. on Windows the host imports are delay-loaded from node.exe, which is what lets them
//      bind to the Electron executable instead of a node.exe that is not there;
//   4. better-sqlite3's loader (lib/binding.js) resolves each target to that file;
//   5. on this machine, the package loads and opens an in-memory database.
// Prints what it finds and exits with status 1 when a check fails.
// Formats: PE/COFF (Microsoft PE format specification), Mach-O (<mach-o/loader.h>, <mach-o/nlist.h>).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

const TARGETS = [
  { id: 'darwin-arm64', platform: 'darwin', arch: 'arm64', format: 'mach-o' },
  { id: 'darwin-x64', platform: 'darwin', arch: 'x64', format: 'mach-o' },
  { id: 'win32-x64', platform: 'win32', arch: 'x64', format: 'pe' },
  { id: 'win32-arm64', platform: 'win32', arch: 'arm64', format: 'pe' },
];

let failures = 0;
const pass = (msg) => console.log(`  ok    ${msg}`);
const fail = (msg) => {
  failures += 1;
  console.log(`  FAIL  ${msg}`);
};
const info = (msg) => console.log(`  info  ${msg}`);
const check = (condition, okMsg, failMsg = okMsg) => (condition ? pass(okMsg) : fail(failMsg));

function cString(buf, offset) {
  if (offset < 0 || offset >= buf.length) return '';
  const end = buf.indexOf(0, offset);
  return buf.toString('latin1', offset, end === -1 ? buf.length : end);
}

// ---------------------------------------------------------------- PE/COFF (Windows DLL)

const PE_MACHINES = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32' };

function parsePe(buf) {
  if (buf.toString('latin1', 0, 2) !== 'MZ') throw new Error('no MZ header');
  const pe = buf.readUInt32LE(0x3c);
  if (buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('no PE signature');
  const coff = pe + 4;
  const machine = buf.readUInt16LE(coff);
  const sectionCount = buf.readUInt16LE(coff + 2);
  const optionalSize = buf.readUInt16LE(coff + 16);
  const characteristics = buf.readUInt16LE(coff + 18);
  const opt = coff + 20;
  const magic = buf.readUInt16LE(opt);
  if (magic !== 0x20b) throw new Error(`not PE32+ (optional header magic 0x${magic.toString(16)})`);
  const dirCount = buf.readUInt32LE(opt + 108);
  const dir = (i) =>
    i < dirCount
      ? { rva: buf.readUInt32LE(opt + 112 + i * 8), size: buf.readUInt32LE(opt + 116 + i * 8) }
      : { rva: 0, size: 0 };
  const sections = [];
  for (let i = 0, s = opt + optionalSize; i < sectionCount; i++, s += 40) {
    sections.push({
      va: buf.readUInt32LE(s + 12),
      vsize: buf.readUInt32LE(s + 8),
      raw: buf.readUInt32LE(s + 20),
      rawSize: buf.readUInt32LE(s + 16),
    });
  }
  const off = (rva) => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + Math.max(x.vsize, x.rawSize));
    if (!s) throw new Error(`RVA 0x${rva.toString(16)} outside every section`);
    return rva - s.va + s.raw;
  };

  const exports = [];
  const exp = dir(0);
  if (exp.rva) {
    const e = off(exp.rva);
    const count = buf.readUInt32LE(e + 24);
    const names = off(buf.readUInt32LE(e + 32));
    for (let i = 0; i < count; i++)
      exports.push(cString(buf, off(buf.readUInt32LE(names + i * 4))));
  }

  const readThunks = (tableRva) => {
    const names = [];
    if (!tableRva) return names;
    for (let p = off(tableRva); ; p += 8) {
      const entry = buf.readBigUInt64LE(p);
      if (entry === 0n) break;
      if (entry & 0x8000000000000000n) names.push(`#${Number(entry & 0xffffn)}`);
      else names.push(cString(buf, off(Number(entry & 0x7fffffffn)) + 2));
    }
    return names;
  };

  const imports = [];
  const imp = dir(1);
  if (imp.rva) {
    for (let d = off(imp.rva); ; d += 20) {
      const lookup = buf.readUInt32LE(d);
      const nameRva = buf.readUInt32LE(d + 12);
      const iat = buf.readUInt32LE(d + 16);
      if (!nameRva) break;
      imports.push({ dll: cString(buf, off(nameRva)), names: readThunks(lookup || iat) });
    }
  }

  const delayed = [];
  const del = dir(13);
  if (del.rva) {
    for (let d = off(del.rva); ; d += 32) {
      const nameRva = buf.readUInt32LE(d + 4);
      const intRva = buf.readUInt32LE(d + 16);
      if (!nameRva) break;
      delayed.push({ dll: cString(buf, off(nameRva)), names: readThunks(intRva) });
    }
  }

  return {
    cpu: PE_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`,
    isDll: (characteristics & 0x2000) !== 0,
    exports,
    imports,
    delayed,
  };
}

// ---------------------------------------------------------------- Mach-O (macOS bundle)

const MACHO_CPUS = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
const LC_SYMTAB = 0x2;
const LC_LOAD_DYLIB = 0xc;
const LC_LOAD_WEAK_DYLIB = 0x80000018;
const LC_REEXPORT_DYLIB = 0x8000001f;
const N_EXT = 0x01;
const N_TYPE = 0x0e;
const N_SECT = 0x0e;
const N_UNDF = 0x0;

function parseMachO(buf) {
  const magic = buf.readUInt32LE(0);
  if (magic === 0xbebafeca || magic === 0xcafebabe)
    throw new Error('universal (fat) binary; expected one architecture per file');
  if (magic !== 0xfeedfacf)
    throw new Error(`not a 64-bit little-endian Mach-O (magic 0x${magic.toString(16)})`);
  const cpu = buf.readUInt32LE(4);
  const filetype = buf.readUInt32LE(12);
  const ncmds = buf.readUInt32LE(16);
  const dylibs = [];
  let defined = [];
  let undefinedSyms = [];
  for (let i = 0, p = 32; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(p);
    const size = buf.readUInt32LE(p + 4);
    if (cmd === LC_LOAD_DYLIB || cmd === LC_LOAD_WEAK_DYLIB || cmd === LC_REEXPORT_DYLIB) {
      dylibs.push(cString(buf, p + buf.readUInt32LE(p + 8)));
    } else if (cmd === LC_SYMTAB) {
      const symoff = buf.readUInt32LE(p + 8);
      const nsyms = buf.readUInt32LE(p + 12);
      const stroff = buf.readUInt32LE(p + 16);
      for (let s = 0; s < nsyms; s++) {
        const e = symoff + s * 16;
        const type = buf.readUInt8(e + 4);
        if (!(type & N_EXT)) continue;
        // Mach-O C symbols carry a leading underscore.
        const name = cString(buf, stroff + buf.readUInt32LE(e)).replace(/^_/, '');
        if ((type & N_TYPE) === N_SECT) defined.push(name);
        else if ((type & N_TYPE) === N_UNDF) undefinedSyms.push(name);
      }
    }
    p += size;
  }
  defined = [...new Set(defined)];
  undefinedSyms = [...new Set(undefinedSyms)];
  return {
    cpu: MACHO_CPUS[cpu] ?? `cputype 0x${cpu.toString(16)}`,
    isBundle: filetype === 8,
    dylibs,
    defined,
    undefinedSyms,
  };
}

// ---------------------------------------------------------------- checks

const isNodeApi = (name) => /^(napi_|node_api_)/.test(name);
const SYSTEM_DYLIB = /^\/usr\/lib\/|^\/System\/Library\//;
const HOST_DLLS = new Set(['node.exe', 'libnode.dll']);
// Symbols a native addon can take from its host: Node-API, or (not ABI-stable) V8, Node and libuv.
const HOST_SYMBOL = /^(napi_|node_api_|node_|uv_|_ZN?K?2v8|_ZN?K?4node)/;

function checkPe(target, buf) {
  const pe = parsePe(buf);
  check(
    pe.cpu === target.arch && pe.isDll,
    `PE32+ DLL for ${pe.cpu}`,
    `expected a ${target.arch} DLL, found ${pe.cpu}${pe.isDll ? '' : ' (not a DLL)'}`,
  );
  return {
    exports: pe.exports,
    hostImports() {
      const regular = pe.imports.filter((i) => HOST_DLLS.has(i.dll.toLowerCase()));
      const delayed = pe.delayed.filter((i) => HOST_DLLS.has(i.dll.toLowerCase()));
      check(
        regular.length === 0,
        'no direct import from node.exe',
        `imports directly from ${regular.map((i) => i.dll).join(', ')}; Electron has no node.exe to satisfy it`,
      );
      check(
        delayed.length > 0,
        `host functions delay-loaded from ${delayed.map((i) => i.dll).join(', ')} (resolved against the running executable)`,
        'no delay-loaded node.exe import found',
      );
      const system = pe.imports.map((i) => i.dll).filter((d) => !HOST_DLLS.has(d.toLowerCase()));
      info(`system DLLs: ${[...new Set(system)].join(', ') || '(none)'}`);
      return [...regular, ...delayed].flatMap((i) => i.names);
    },
  };
}

function checkMachO(target, buf) {
  const m = parseMachO(buf);
  check(
    m.cpu === target.arch && m.isBundle,
    `Mach-O bundle for ${m.cpu}`,
    `expected a ${target.arch} Mach-O bundle, found ${m.cpu}${m.isBundle ? '' : ' (not MH_BUNDLE)'}`,
  );
  return {
    exports: m.defined,
    hostImports() {
      const foreign = m.dylibs.filter((d) => !SYSTEM_DYLIB.test(d));
      check(
        foreign.length === 0,
        `links only system libraries (${m.dylibs.join(', ')})`,
        `links non-system libraries: ${foreign.join(', ')}`,
      );
      // Host functions are left undefined and bound at load time to whichever process loads the
      // bundle (-undefined dynamic_lookup), so Node and Electron both satisfy them. Everything
      // else undefined comes from libSystem and libc++.
      const host = m.undefinedSyms.filter((s) => HOST_SYMBOL.test(s));
      info(
        `${m.undefinedSyms.length - host.length} other undefined symbols, from the system libraries`,
      );
      return host;
    },
  };
}

function checkTarget(target) {
  console.log(`\n${target.id}`);
  const file = path.join(pkgDir, 'prebuilds', `${target.id}.node`);
  if (!existsSync(file)) {
    fail(`missing ${path.relative(process.cwd(), file)}`);
    return;
  }
  const buf = readFileSync(file);
  pass(`${path.relative(process.cwd(), file)} (${(buf.length / 1024 / 1024).toFixed(2)} MiB)`);
  let view;
  try {
    view = target.format === 'pe' ? checkPe(target, buf) : checkMachO(target, buf);
  } catch (e) {
    fail(`cannot parse as ${target.format}: ${e.message}`);
    return;
  }
  check(
    view.exports.includes('napi_register_module_v1'),
    'exports napi_register_module_v1 (Node-API registration)',
    'does not export napi_register_module_v1: not a Node-API module',
  );
  if (view.exports.includes('node_api_module_get_api_version_v1'))
    pass('exports node_api_module_get_api_version_v1');
  else
    info('does not export node_api_module_get_api_version_v1 (older Node-API toolchains omit it)');
  const legacy = view.exports.filter((e) => /^node_register_module_v\d+/.test(e));
  check(
    legacy.length === 0,
    'exports no ABI-bound node_register_module_v*',
    `exports ${legacy.join(', ')}: bound to one NODE_MODULE_VERSION`,
  );
  const host = view.hostImports();
  const nonApi = host.filter((n) => !isNodeApi(n));
  check(
    host.length > 0 && nonApi.length === 0,
    `all ${host.length} host imports are Node-API functions`,
    `host imports outside Node-API: ${nonApi.slice(0, 8).join(', ')}`,
  );
}

function checkLoader() {
  console.log('\nloader (lib/binding.js, lib/<target>.js)');
  const bindingFile = path.join(pkgDir, 'lib', 'binding.js');
  const binding = require(bindingFile);
  for (const local of ['Debug', 'Release']) {
    const f = path.join(pkgDir, 'build', local, 'better_sqlite3.node');
    check(
      !existsSync(f),
      `no build/${local}/better_sqlite3.node (it would take precedence over the prebuilds)`,
      `build/${local}/better_sqlite3.node exists and would be loaded instead of the prebuilds`,
    );
  }
  const real = { platform: process.platform, arch: process.arch };
  for (const target of TARGETS) {
    let resolved;
    try {
      Object.defineProperty(process, 'platform', { value: target.platform, configurable: true });
      Object.defineProperty(process, 'arch', { value: target.arch, configurable: true });
      resolved = binding.getPrebuildPath();
    } finally {
      Object.defineProperty(process, 'platform', { value: real.platform, configurable: true });
      Object.defineProperty(process, 'arch', { value: real.arch, configurable: true });
    }
    const expected = path.join(pkgDir, 'prebuilds', `${target.id}.node`);
    check(
      resolved === expected,
      `process.platform=${target.platform} arch=${target.arch} -> prebuilds/${target.id}.node`,
      `process.platform=${target.platform} arch=${target.arch} -> ${resolved ?? 'nothing'}`,
    );
    const entry = pkg.exports?.[`./${target.id}`];
    const entryFile = entry ? path.join(pkgDir, entry) : null;
    const entryText = entryFile && existsSync(entryFile) ? readFileSync(entryFile, 'utf8') : '';
    check(
      entryText.includes(`../prebuilds/${target.id}.node`),
      `"better-sqlite3/${target.id}" entry point loads the same file`,
      `"better-sqlite3/${target.id}" entry point missing or loads another file`,
    );
  }
  info(
    'the main entry (lib/index.js) loads build/Debug, then build/Release, then prebuilds/<platform>-<arch>.node',
  );
}

function checkNapiVersion() {
  console.log('\nNode-API version');
  const gyp = readFileSync(path.join(pkgDir, 'binding.gyp'), 'utf8');
  const built = Number(/NAPI_VERSION=(\d+)/.exec(gyp)?.[1] ?? NaN);
  info(
    Number.isNaN(built)
      ? 'binding.gyp names no NAPI_VERSION'
      : `built against Node-API ${built} (binding.gyp)`,
  );
  const host = Number(process.versions.napi);
  check(
    Number.isNaN(built) || host >= built,
    `this Node ${process.version} provides Node-API ${host}`,
    `this Node ${process.version} provides only Node-API ${host}`,
  );
  try {
    const electronPkg = require('electron/package.json');
    info(
      `Electron ${electronPkg.version}: its Node version cannot be read without the binary; Electron 40 and later embed Node 24, which provides Node-API 10`,
    );
  } catch {
    info('electron is not installed; Electron version not checked');
  }
}

function checkHostLoad() {
  console.log(`\nthis machine (${process.platform}-${process.arch})`);
  try {
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    const { v } = db.prepare('select sqlite_version() as v').get();
    db.close();
    pass(`better-sqlite3 ${pkg.version} loads and opens a database (SQLite ${v})`);
  } catch (e) {
    fail(`better-sqlite3 does not load here: ${e.message}`);
  }
}

console.log(`better-sqlite3 ${pkg.version} at ${path.relative(process.cwd(), pkgDir) || '.'}`);
for (const target of TARGETS) checkTarget(target);
checkLoader();
checkNapiVersion();
checkHostLoad();
console.log(failures === 0 ? '\nAll native checks passed.' : `\n${failures} check(s) failed.`);
process.exitCode = failures === 0 ? 0 : 1;
