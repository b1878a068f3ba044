import { useState } from 'react';
import type { FindingParams, FindingRuleInfo } from '../../../contract/findings';
import { wordsOfKey } from '../../shared/labels';
import { defaultParams, paramKey, parseParamInput } from './findings-model';

/** The parameters of the finding rules, as typed; applied only when every value reads. */
export function ParamEditor({
  infos,
  values,
  onApply,
}: {
  infos: readonly FindingRuleInfo[];
  values: FindingParams;
  onApply(next: FindingParams): void;
}) {
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])),
  );
  const errors = new Map<string, string>();
  const parsed: FindingParams = {};
  for (const r of infos)
    for (const p of r.params) {
      const k = paramKey(r.id, p);
      const res = parseParamInput(p, draft[k] ?? String(p.default));
      if (res.ok) parsed[k] = res.value;
      else errors.set(k, res.message);
    }
  return (
    <form
      className="findings-params"
      data-testid="findings-params"
      onSubmit={(e) => {
        e.preventDefault();
        if (errors.size === 0) onApply(parsed);
      }}
    >
      {infos
        .filter((r) => r.params.length > 0)
        .map((r) => (
          <fieldset key={r.id}>
            <legend title={r.severity}>{r.title}</legend>
            {r.params.map((p) => {
              const k = paramKey(r.id, p);
              return (
                <label key={k} title={p.description}>
                  <span className="small" title={k}>
                    {wordsOfKey(p.name)}
                  </span>
                  <input
                    className="input"
                    value={draft[k] ?? ''}
                    aria-invalid={errors.has(k)}
                    data-testid={`param-${k}`}
                    onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
                  />
                  <span className="muted small">
                    {p.unit} (default {String(p.default)})
                  </span>
                  {errors.has(k) ? (
                    <span className="findings-error small">expected {errors.get(k)}</span>
                  ) : null}
                </label>
              );
            })}
          </fieldset>
        ))}
      <div className="findings-actions">
        <button type="submit" className="btn btn-small" disabled={errors.size > 0}>
          Apply
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            const d = defaultParams(infos);
            setDraft(Object.fromEntries(Object.entries(d).map(([k, v]) => [k, String(v)])));
            onApply(d);
          }}
        >
          Reset to defaults
        </button>
      </div>
    </form>
  );
}
