import { useState } from 'react';
import './verify.css';

interface Props {
  fingerprint: string;
  testId: string;
}

/** A signer fingerprint in large monospace type, in two lines of groups, with a button that copies it. */
export function Fingerprint({ fingerprint, testId }: Props) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(fingerprint);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  const groups = fingerprint.split(' ');
  const half = Math.ceil(groups.length / 2);
  return (
    <div className="fingerprint">
      <code className="fingerprint-value" data-testid={testId}>
        <span className="fingerprint-line">{groups.slice(0, half).join(' ')}</span>
        {groups.length > half ? ' ' : null}
        {groups.length > half ? (
          <span className="fingerprint-line">{groups.slice(half).join(' ')}</span>
        ) : null}
      </code>
      <button
        type="button"
        className="btn btn-small"
        data-testid={`${testId}-copy`}
        onClick={() => void copy()}
      >
        Copy
      </button>
      {copied === 'yes' ? (
        <span className="small muted" role="status">
          Copied
        </span>
      ) : copied === 'no' ? (
        <span className="small muted" role="status">
          Could not copy: select the text instead
        </span>
      ) : null}
    </div>
  );
}
