import { AuditView } from '../../features/annotations/AuditView';
import { CompareView } from '../../features/compare/CompareView';
import { FindingsView } from '../../features/findings/FindingsView';
import { HeatmapView } from '../../features/heatmap/HeatmapView';
import { KeyFindingsView } from '../../features/key-findings/KeyFindingsView';
import { NetworkView } from '../../features/network/NetworkView';
import { PermissionsView } from '../../features/permissions/PermissionsView';
import { SourcesView } from '../../features/sources/SourcesView';
import { SummaryView } from '../../features/summary/SummaryView';
import { Timeline } from '../../features/timeline/Timeline';
import { UsageView } from '../../features/usage/UsageView';
import { VerifyView } from '../../features/verify/VerifyView';
import { ViewBoundary } from '../../shared/ViewBoundary';
import { tabLabel, type Tab } from './tabs';
import { useTab } from './use-workspace';

/** The view of the chosen tab; each view reads the filter and the selection it needs itself. */
export function TabPanel() {
  const tab = useTab();
  return (
    <div className="tab-panel" id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
      <ViewBoundary key={tab} name={tabLabel(tab)}>
        <TabView tab={tab} />
      </ViewBoundary>
    </div>
  );
}

function TabView({ tab }: { tab: Tab }) {
  switch (tab) {
    case 'timeline':
      return <Timeline />;
    case 'summary':
      return <SummaryView />;
    case 'compare':
      return <CompareView />;
    case 'heatmap':
      return <HeatmapView />;
    case 'network':
      return <NetworkView />;
    case 'permissions':
      return <PermissionsView />;
    case 'usage':
      return <UsageView />;
    case 'key-findings':
      return <KeyFindingsView />;
    case 'findings':
      return <FindingsView />;
    case 'audit':
      return <AuditView />;
    case 'verify':
      return <VerifyView />;
    case 'sources':
      return <SourcesView />;
    default: {
      const never: never = tab;
      return never;
    }
  }
}
