import type { RecordDetails as Details } from '../../../contract/api';
import { CATEGORIES, type Category } from '../../../contract/categories';
import { permissionStatusSchema } from '../../../contract/records';
import { useQuery } from '../../app/use-query';
import { DetailsPanel } from '../../shared/DetailsPanel';
import { categoryColor } from '../../shared/category-colors';
import { AnnotationEditor } from '../annotations/AnnotationEditor';
import { statusLabel, statusTone } from '../permissions/permission-status';
import { StatusGlyph } from '../permissions/StatusGlyph';
import { describeFields, formatRaw, kindLabel, recordTitle, type FieldRow } from './record-fields';
import './records.css';

interface Props {
  id: string;
  onClose: () => void;
}

const FIELD_CLASS: Record<FieldRow['style'], string> = {
  text: 'break',
  mono: 'mono break',
  instant: 'mono break',
};

function categoryOf(value: unknown): Category | null {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value)
    ? (value as Category)
    : null;
}

function Headline({ d }: { d: Details }) {
  const category = categoryOf(d.fields.category);
  const status = permissionStatusSchema.safeParse(d.fields.status);
  return (
    <div className="details-title">
      {category ? (
        <span
          className="swatch"
          style={{ background: categoryColor(category) }}
          aria-hidden="true"
        />
      ) : null}
      <strong data-testid="record-title">{recordTitle(d)}</strong>
      {status.success ? (
        <span
          className={`tag ${statusTone(status.data)} status-tag`}
          data-testid="record-status"
          data-status={status.data}
        >
          <StatusGlyph status={status.data} />
          {statusLabel(status.data)}
        </span>
      ) : null}
    </div>
  );
}

function ClaimList({ items, testId, empty }: { items: string[]; testId: string; empty: string }) {
  if (items.length === 0) return <p className="muted small">{empty}</p>;
  return (
    <ul className="record-claims" data-testid={testId}>
      {items.map((t) => (
        <li key={t}>{t}</li>
      ))}
    </ul>
  );
}

/** One permission, network-usage or profile record: its fields, where it was read, and what it shows. */
export function RecordDetails({ id, onClose }: Props) {
  const q = useQuery('getRecord', { id });
  const d = q.data && q.data.id === id ? q.data : null;
  return (
    <DetailsPanel
      label="Record details"
      title={d ? kindLabel(d.kind) : 'Record'}
      testId="record-details"
      data={{ 'data-record-id': id }}
      error={q.error}
      loading={q.loading}
      onClose={onClose}
    >
      {d === null ? null : (
        <>
          <Headline d={d} />
          <dl className="kv record-kv" data-testid="record-fields">
            {describeFields(d.kind, d.fields).map((f) => (
              <div key={f.key} className="kv-pair">
                <dt>{f.label}</dt>
                <dd className={FIELD_CLASS[f.style]} data-field={f.key}>
                  {f.value}
                </dd>
              </div>
            ))}
          </dl>
          <AnnotationEditor target={d.id} />

          <h3>Where it was read</h3>
          <dl className="kv record-kv" data-testid="record-source">
            <dt>Locator</dt>
            <dd className="mono small break" data-testid="record-locator">
              {d.locator}
            </dd>
            <dt>Source file</dt>
            <dd className="break" title={d.source.path}>
              {d.source.fileName}
            </dd>
            <dt>Path</dt>
            <dd className="mono small break">{d.source.path}</dd>
            <dt>SHA-256</dt>
            <dd className="mono small break" data-testid="record-sha256">
              {d.source.sha256}
            </dd>
            <dt>Importer</dt>
            <dd className="mono small">{d.source.importer}</dd>
          </dl>

          <section className="record-proof">
            <h3>What this proves</h3>
            <ClaimList
              items={d.proves}
              testId="record-proves"
              empty="The importer states nothing for this kind of record."
            />
            <h3>What this does not prove</h3>
            <ClaimList
              items={d.doesNotProve}
              testId="record-does-not-prove"
              empty="The importer states no limits for this kind of record."
            />
          </section>

          <h3>Raw fields</h3>
          {Object.keys(d.raw).length === 0 ? (
            <p className="muted small">No raw fields were stored.</p>
          ) : (
            <dl className="kv record-kv" data-testid="record-raw">
              {Object.entries(d.raw).map(([k, v]) => {
                const raw = formatRaw(v);
                return (
                  <div key={k} className="kv-pair">
                    <dt className="mono">{k}</dt>
                    <dd>
                      {raw.block ? (
                        <pre className="raw">{raw.text}</pre>
                      ) : (
                        <span className="mono break">{raw.text}</span>
                      )}
                    </dd>
                  </div>
                );
              })}
            </dl>
          )}
        </>
      )}
    </DetailsPanel>
  );
}
