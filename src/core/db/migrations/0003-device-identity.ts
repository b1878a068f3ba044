import type { Migration } from './types';

/**
 * Device identity from backups: the UDID binds a device (one phone, one device row, whatever
 * label it carries), with its serial, IMEI, phone number, product type and build.
 */
export const m0003DeviceIdentity: Migration = {
  version: 3,
  name: 'device-identity',
  description: 'adding device identifiers',
  up: `
ALTER TABLE devices ADD COLUMN udid TEXT;
ALTER TABLE devices ADD COLUMN serial TEXT;
ALTER TABLE devices ADD COLUMN imei TEXT;
ALTER TABLE devices ADD COLUMN phone_number TEXT;
ALTER TABLE devices ADD COLUMN product_type TEXT;
ALTER TABLE devices ADD COLUMN build_version TEXT;
CREATE UNIQUE INDEX devices_udid ON devices(udid) WHERE udid IS NOT NULL;
`,
};
