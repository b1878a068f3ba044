import type { PermissionStatus } from '../../../contract/records';
import { diamondPoints, statusShape } from './permission-status';

interface Props {
  status: PermissionStatus;
  /** Fill and outline colour; the ink colour when absent. */
  color?: string;
  size?: number;
}

const toPoints = (pts: [number, number][]): string => pts.map(([x, y]) => `${x},${y}`).join(' ');

/** The diamond of a permission status, the same figure the timeline draws for its marks. */
export function StatusGlyph({ status, color = 'currentColor', size = 12 }: Props) {
  const c = size / 2;
  const r = c - 1.25;
  const pts = diamondPoints(c, c, r);
  const shape = statusShape(status);
  const [top, , bottom, left] = pts;
  return (
    <svg
      className="status-glyph"
      width={size}
      height={size}
      viewBox={`0 0 ${size} ${size}`}
      aria-hidden="true"
      data-shape={shape}
    >
      {shape === 'half' && top && bottom && left ? (
        <polygon points={toPoints([top, bottom, left])} fill={color} />
      ) : null}
      <polygon
        points={toPoints(pts)}
        fill={shape === 'filled' ? color : shape === 'half' ? 'none' : '#fff'}
        stroke={color}
        strokeWidth={1.5}
        strokeDasharray={shape === 'dashed' ? '2 1.5' : undefined}
        strokeLinejoin="round"
      />
    </svg>
  );
}
