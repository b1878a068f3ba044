import './no-data.css';

/** The words every view uses for days outside the observed windows. */
export const NO_DATA_LABEL = 'no data (outside the imported sources)';

/** Why a hatched day is not a quiet day, for titles and screen readers. */
export const NO_DATA_EXPLAINED =
  'Hatched days lie outside every imported App Privacy Report and Android capture of the device: nothing could have been recorded there, so they are not quiet days.';

/** Legend entry for the hatched "no data" stretches, drawn like them. */
export function NoDataLegend({ testId = 'no-data-legend' }: { testId?: string }) {
  return (
    <ul className="legend" aria-label="No data" data-testid={testId}>
      <li title={NO_DATA_EXPLAINED}>
        <span className="no-data-swatch" aria-hidden="true" />
        {NO_DATA_LABEL}
      </li>
    </ul>
  );
}
