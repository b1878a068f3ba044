import type { ImporterManifest } from '../importer';

/** What the Android importer reads, and what its records prove and do not prove. */
export const androidManifest: ImporterManifest = {
  id: 'android-dumpsys',
  name: 'Android dumpsys (appops, usagestats, package, getprop)',
  version: '1.0.0',
  platform: 'android',
  reads:
    'A bugreport zip, an AndroidQF folder or zip, a folder of dumpsys/getprop outputs, a single such ' +
    'file, or a Snoopscope adb capture: dumpsys appops (Android 8–15 layouts, discrete accesses), ' +
    'dumpsys usagestats, dumpsys package, getprop. The Android 8 and 9 appops layouts have no public ' +
    'sample and are read as the reference describes them.',
  proves: [
    'Android noted the app op for the package at the printed device-local time, in the printed uid ' +
      'state (top, foreground service, foreground, background, cached) and with the printed flag ' +
      '(self, or through a proxy app).',
    'A Reject line: the op was attempted and refused at that time.',
    'usagestats: the activity or service events Android logged for the package (last 24 hours).',
    "usagestats: the device state (basis usagestats) from SCREEN_INTERACTIVE / SCREEN_NON_INTERACTIVE (screen on / off), KEYGUARD_SHOWN / KEYGUARD_HIDDEN (locked / unlocked) and ACTIVITY_RESUMED (the app in front until its ACTIVITY_PAUSED or ACTIVITY_STOPPED), covering the span of each user's events.",
    'dumpsys batterystats history (in a bugreport, an AndroidQF dumpsys.txt or the batterystats.txt of a Snoopscope adb capture): the screen (+screen / -screen) and the app on top (top= / +top= / -top=) as device states (basis batterystats), placed by its RESET:TIME / TIME line and covering its first to last placed line.',
    'dumpsys package: the permissions each package requested and whether runtime permissions were granted at capture time.',
  ],
  doesNotProve: [
    'More than the last access per op, attribution tag, state and flag: earlier ones are overwritten; only repeated captures build a series.',
    'What was read, or that anything was uploaded.',
    'That the op was a real access: Android notes some ops without one (checkOp calls are not recorded at all).',
    'A background state inferred from usage records is an inference from missing foreground activity, not a state Android reported.',
    'The device state before the first or after the last usagestats event, or across a reboot (DEVICE_STARTUP / DEVICE_SHUTDOWN end every state); batterystats history states before its clock line or across START, SHUTDOWN or *OVERFLOW*; the lock state from batterystats (it records none).',
    'The device state while the batterystats history or the usagestats events go back in time: the states read before end at the last time read, and those read after count only from the latest time already read (a warning names the line).',
  ],
};
