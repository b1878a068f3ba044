import { describe, expect, it } from 'vitest';
import { maskIdentifier } from './mask';

describe('maskIdentifier', () => {
  it('keeps separators and the last four letters or digits', () => {
    expect(maskIdentifier('00008130-000275E42213803A')).toBe('••••••••-••••••••••••803A');
    expect(maskIdentifier('F2LTX0ABHG7F')).toBe('••••••••HG7F');
    expect(maskIdentifier('+41 79 123 45 67')).toBe('+•• •• ••• 45 67');
    expect(maskIdentifier('AB1')).toBe('AB1');
    expect(maskIdentifier(null)).toBeNull();
  });
});
