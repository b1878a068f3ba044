// Loaded with `node --import`: installs the hook that maps `electron` to the stand-in.
import { register } from 'node:module';

register('./fake-electron-hooks.mjs', import.meta.url);
