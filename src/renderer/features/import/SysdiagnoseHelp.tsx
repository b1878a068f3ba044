/** How to take a sysdiagnose on an iPhone right after saving the App Privacy Report. */
export function SysdiagnoseHelp() {
  return (
    <details className="import-help" data-testid="sysdiagnose-help">
      <summary>Was the iPhone in use? Add a sysdiagnose (PowerLog)</summary>
      <p className="small">
        An iPhone&apos;s PowerLog records when its screen was off, when it was locked and which app
        was on screen. It comes in a sysdiagnose, and it only answers for the days it covers, so
        take the sysdiagnose right after saving the App Privacy Report:
      </p>
      <ol className="small">
        <li>
          On the iPhone, press and hold both volume buttons and the side button for about one
          second, until it vibrates (a screenshot may be taken too; that is fine).
        </li>
        <li>
          Wait about 10 minutes. The archive then appears in Settings › Privacy &amp; Security ›
          Analytics &amp; Improvements › Analytics Data, named <code>sysdiagnose_…tar.gz</code>.
        </li>
        <li>
          Open it there, tap Share and AirDrop it to this computer (or save it to Files and copy it
          over).
        </li>
        <li>
          Import the <code>sysdiagnose_…tar.gz</code> here with the same device as the report. It is
          read in place; its PowerLog files are imported and nothing else is kept.
        </li>
      </ol>
      <p className="small muted">
        If the report and the PowerLog cover no common days, the import says so: the state at the
        report&apos;s accesses then stays unknown.
      </p>
    </details>
  );
}
