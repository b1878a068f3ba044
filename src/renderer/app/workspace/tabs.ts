/** The workspace's views, in the order of their tabs. */
export const TABS = [
  { id: 'key-findings', label: 'Key findings' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'summary', label: 'Summary' },
  { id: 'compare', label: 'Compare' },
  { id: 'heatmap', label: 'Heatmap' },
  { id: 'network', label: 'Network' },
  { id: 'permissions', label: 'Permissions' },
  { id: 'usage', label: 'Data usage' },
  { id: 'findings', label: 'Findings' },
  { id: 'sources', label: 'Sources' },
  { id: 'audit', label: 'Audit log' },
  { id: 'verify', label: 'Verify bundle' },
] as const;

export type Tab = (typeof TABS)[number]['id'];

/** The label of a view's tab. */
export function tabLabel(tab: Tab): string {
  return TABS.find((t) => t.id === tab)?.label ?? 'This view';
}
