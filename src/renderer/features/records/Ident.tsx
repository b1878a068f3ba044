import { Fragment } from 'react';
import { identParts } from './ident-parts';

/** An identifier in a table cell that breaks after its dots rather than inside its words. */
export function Ident({ text }: { text: string }) {
  return (
    <span className="ident">
      {identParts(text).map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
