import { describe, expect, it } from 'vitest';
import { niceStep, plotLinesSvg } from './plot-lines-svg.js';

describe('plotLinesSvg', () => {
  it.each([[10, 2], [7, 2], [3.3, 1], [1500, 500], [0.9, 0.2], [0, 1]])('niceStep(%f) = %f', (max, step) => {
    expect(niceStep(max)).toBeCloseTo(step, 9);
  });

  it('draws one legend entry per series, breaks a line at NaN, and marks the arrival window', () => {
    const svg = plotLinesSvg({
      title: 't', xLabel: 'x', yLabel: 'y', marker: { x: 2, label: 'last arrival' },
      series: [{ name: 'A<1>', points: [[0, 1], [1, Number.NaN], [2, 3], [3, 4]] }, { name: 'B', points: [[0, 0], [3, 2]] }],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain('<title>A&lt;1&gt;</title>');
    expect(svg).toContain('last arrival');
    expect(svg.startsWith('<svg')).toBe(true);
  });
});
