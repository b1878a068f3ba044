import { whenParts } from './when-parts';

/**
 * A timestamp in a table cell: on one line where the table has room, else the date above the
 * time, so that a narrow window shrinks the column instead of scrolling the table sideways.
 */
export function When({ text }: { text: string }) {
  const parts = whenParts(text);
  if (parts.length === 1) return <span className="nowrap">{parts[0]}</span>;
  return (
    <span className="when">
      <span className="nowrap">{parts[0]}</span> <span className="nowrap">{parts[1]}</span>
    </span>
  );
}
