import type { Category } from '../../contract/categories';
import type { AppKind, CatalogSource, CatalogSourceKey } from './types';

/**
 * Where the catalog's identifiers and names come from. Repository files are cited at the commit
 * they were read; docs/app-catalog.md says how each was used.
 */
export const CATALOG_SOURCES: Readonly<Record<CatalogSourceKey, CatalogSource>> = {
  'apple-doc': {
    key: 'apple-doc',
    title: 'Apple Platform Deployment: Bundle IDs for native iPhone and iPad apps',
    url: 'https://support.apple.com/guide/deployment/depece748c41/web (read through the monthly copy in petarov/apple-bundle-ids, dist/en-us_apple-bundle-ids.csv and dist/zh-cn_apple-bundle-ids.csv at 71196cd6786dfdfb712bdbc5e85f36ea30e77843)',
    kind: "Apple's own list of the bundle ids of its iPhone and iPad apps, with English and Chinese names",
    vendor: true,
  },
  lzw: {
    key: 'lzw',
    title: 'iOS Apps I Used - Table Version (lzwjava blog)',
    url: 'https://github.com/lzwjava/lzwjava_blog/blob/76963e86bd36c99fde1e67e243922a56b145e8be/assets/_posts/2024-11-30-apps-table-en.md',
    kind: 'the apps of one iPhone as the device lists them: name, bundle id, version',
    vendor: false,
  },
  autoglm: {
    key: 'autoglm',
    title: 'Open-AutoGLM app tables (phone_agent/config/apps_ios.py and apps.py)',
    url: 'https://github.com/zai-org/Open-AutoGLM/blob/6b18d7bed0a8b5696760b06f7d18065b150901a2/phone_agent/config/apps_ios.py and .../phone_agent/config/apps.py',
    kind: 'a phone-automation project: app name -> iOS bundle id and Android package it launches',
    vendor: false,
  },
  mobileagent: {
    key: 'mobileagent',
    title: 'MobileAgent: Android Package Names Reference',
    url: 'https://github.com/sheng1111/MobileAgent/blob/97505750f6f6b5547c172ff81c7e0ae97fc30154/.skills/app-explore/references/package-names.md',
    kind: 'a reference table of Android package names used to launch apps',
    vendor: false,
  },
  notifai: {
    key: 'notifai',
    title: 'notifai: Android Package Names - Verified List',
    url: 'https://github.com/charfeng1/notifai/blob/f933058b374b064c4be628830129a0a86f88ffdf/docs/android_package_names.md',
    kind: 'a reference table of Android package names, some marked as checked on Google Play',
    vendor: false,
  },
  uad: {
    key: 'uad',
    title: 'Universal Android Debloater Next Generation: uad_lists.json',
    url: 'https://github.com/Universal-Debloater-Alliance/universal-android-debloater-next-generation/blob/9336f25e7d5476e0824720ee44dce23bc7640c3f/resources/assets/uad_lists.json',
    kind: 'a reviewed description of each Android package found on phones (system, OEM and common apps)',
    vendor: false,
  },
  yx: {
    key: 'yx',
    title: 'MobilePhoneManager: ProgrammePackageName.java',
    url: 'https://github.com/yxwang0105/MobilePhoneManager/blob/f590ec0efbc50d1eba488ab57abdfb1067bb3054/app/src/main/java/resource/ProgrammePackageName.java',
    kind: 'Android package names of Chinese apps with their Chinese names',
    vendor: false,
  },
  kaka: {
    key: 'kaka',
    title: 'kaka locker: notification Constants.java',
    url: 'https://github.com/Mrzy/kaka/blob/a77692bd8c3637d6656c8dc687a3732149994985/HDLocker/src/cn/zmdx/kaka/fast/locker/notification/Constants.java',
    kind: 'Android package names of Chinese apps a lock screen recognises',
    vendor: false,
  },
  packetor: {
    key: 'packetor',
    title: 'Packetor: Packages.kt',
    url: 'https://github.com/wangyongf/Packetor/blob/b8b47ed5f35927b2292f2a29636f6d7a3d28ae21/android/app/src/main/kotlin/com/yongf/flutter/packetcaptureflutter/common/Packages.kt',
    kind: 'Android package names of Chinese apps a packet-capture tool recognises',
    vendor: false,
  },
};

/**
 * Why an app is expected to use a resource: a default per resource, applied to apps whose `expects`
 * names it. Expectations are set only where using the resource is the app's function as its name
 * and the sources state it (a camera, a map, a recorder); each text says it is such a default.
 */
export const EXPECTATION_BASIS: Readonly<Partial<Record<Category, string>>> = {
  camera:
    'category default: the app is for taking photos or video, scanning, or video calls (its function as named in the sources)',
  photos:
    'category default: the app is for viewing, editing or managing photos and videos (its function as named in the sources)',
  microphone:
    'category default: the app is for recording, calls, voice input or music recognition (its function as named in the sources)',
  location:
    'category default: the app is for maps, navigation, rides, transit, activity tracking or finding people and things (its function as named in the sources)',
  contacts:
    'category default: the app is a phone or contacts app (its function as named in the sources)',
  calendar: 'category default: the app is a calendar (its function as named in the sources)',
};

/**
 * The resources every app of a kind is expected to use, and why: a category default, stated as
 * one. Messengers (app-store categories Social Networking and Business, vendors describing voice
 * and video calls) need the camera and microphone for calls; sending photos goes through the
 * system photo picker, which gives the app no photo-library access, so photos are not expected.
 */
export const KIND_EXPECTATIONS: Readonly<
  Record<AppKind, { expects: readonly Category[]; basis: string }>
> = {
  messenger: {
    expects: ['camera', 'microphone'],
    basis:
      'category default for messengers: the vendor describes voice and video calls (app-store category Social Networking or Business), which need the camera and microphone',
  },
};
