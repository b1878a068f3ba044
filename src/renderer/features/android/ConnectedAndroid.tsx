import { useState } from 'react';
import { useCase, useImportControl } from '../../app/workspace/use-workspace';
import type { AndroidDevice } from '../../../contract/api';
import { maskIdentifier } from '../../../contract/mask';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';
import { useRefreshable } from '../backups/use-refreshable';
import { newCaptureDraft, type CaptureDraft } from './android-flow';
import { phoneLabel, phoneReady, phoneStateLabel, phoneStateTone } from './android-format';
import { AndroidCaptureForm } from './AndroidCaptureForm';
import { CapturePanel } from './CapturePanel';
import './android.css';

function PhoneRow({
  phone,
  selected,
  choosable,
  onChoose,
}: {
  phone: AndroidDevice;
  selected: boolean;
  choosable: boolean;
  onChoose: () => void;
}) {
  const ready = phoneReady(phone);
  return (
    <li
      className={`phone-row${selected ? ' phone-row-selected' : ''}`}
      data-testid="android-device"
      data-state={phone.state}
    >
      <div className="grow">
        <div className="backup-row-head">
          <span className="backup-row-name">{phoneLabel(phone)}</span>
          {phone.product && phone.product !== phone.model ? (
            <span className="muted">{phone.product}</span>
          ) : null}
          <span
            className={`tag tag-${phoneStateTone(phone.state)}`}
            data-testid="android-device-state"
            title={`adb state: ${phone.state}`}
          >
            {phoneStateLabel(phone.state)}
          </span>
        </div>
        <div className="muted small mono" data-testid="android-device-serial">
          serial {maskIdentifier(phone.serial)}
        </div>
        {phone.problem ? (
          <div
            className="backup-row-note backup-row-note-warning small"
            data-testid="android-device-problem"
          >
            {phone.problem}
          </div>
        ) : null}
      </div>
      {ready && choosable ? (
        <button
          type="button"
          className={`btn${selected ? ' btn-on' : ''}`}
          data-testid="android-device-choose"
          aria-pressed={selected}
          onClick={onChoose}
        >
          {selected ? 'Chosen' : 'Choose'}
        </button>
      ) : null}
    </li>
  );
}

/**
 * Android phones connected over adb: whether adb is installed (and how to install it), each
 * phone with what to do before it can be captured, then a capture or a watch of a ready phone,
 * followed live.
 */
export function ConnectedAndroid() {
  // The capture lives with the case's import, so it outlives the dialog.
  const capture = useImportControl().android;
  const { devices } = useCase();
  const listed = useRefreshable('listAndroidDevices', {});
  const [chosen, setChosen] = useState<string | null>(null);
  const [draft, setDraft] = useState<CaptureDraft | null>(null);
  const data = listed.data;
  const phones = data?.devices ?? [];
  const ready = phones.filter(phoneReady);
  const serial =
    ready.find((p) => p.serial === chosen)?.serial ??
    (ready.length === 1 ? ready[0]?.serial : null);
  const phone = ready.find((p) => p.serial === serial) ?? null;
  const current =
    phone === null
      ? null
      : draft?.serial === phone.serial
        ? draft
        : newCaptureDraft(phone.serial, devices);

  return (
    <section className="connected" data-testid="android-connected" aria-label="Connected Android">
      <div className="row">
        <span className="small muted grow">
          Capture an Android phone connected by USB, over adb, and import the capture. USB debugging
          must be on and this computer allowed on the phone.
        </span>
        <button
          type="button"
          className="btn"
          data-testid="android-refresh"
          disabled={listed.loading}
          onClick={listed.refresh}
        >
          {listed.loading && data ? 'Looking…' : 'Refresh'}
        </button>
      </div>
      <CapturePanel />
      {listed.error ? (
        <ErrorBanner error={listed.error} title="Could not ask adb for phones" />
      ) : null}
      {data === null && listed.loading ? <Spinner label="Looking for Android phones…" /> : null}
      {data?.installHint ? (
        <div className="install-hint" role="status" data-testid="android-install-hint">
          <strong>adb is not installed</strong>
          <p>{data.installHint}</p>
          <p className="small">
            Then Refresh. Captures made before (a bugreport zip, an AndroidQF folder or zip, dumpsys
            files) can be imported under “Files” without adb.
          </p>
        </div>
      ) : null}
      {data?.problem ? (
        <div className="banner banner-warning" role="status" data-testid="android-problem">
          <div className="banner-body">{data.problem}</div>
        </div>
      ) : null}
      {phones.length > 0 ? (
        <ul className="phone-list" aria-label="Android phones">
          {phones.map((p) => (
            <PhoneRow
              key={p.serial}
              phone={p}
              selected={p.serial === serial}
              choosable={ready.length > 1}
              onChoose={() => setChosen(p.serial)}
            />
          ))}
        </ul>
      ) : data && data.adb !== null && !data.problem ? (
        <EmptyState title="No Android phone listed" testId="android-empty">
          {data.hint ??
            'Connect the phone with a data cable, unlock it, allow USB debugging, then Refresh.'}
        </EmptyState>
      ) : null}
      {phones.length > 0 && ready.length === 0 ? (
        <p className="muted small" data-testid="android-none-ready">
          Do what the phone’s line says, then Refresh.
        </p>
      ) : null}
      {phone && current && !capture.active ? (
        <AndroidCaptureForm
          key={phone.serial}
          phone={phone}
          draft={current}
          onDraftChange={setDraft}
          busy={capture.active}
          onStart={(request, name) => void capture.start(request, name)}
        />
      ) : ready.length > 1 && !capture.active ? (
        <p className="muted small">Choose the phone to capture.</p>
      ) : null}
    </section>
  );
}
