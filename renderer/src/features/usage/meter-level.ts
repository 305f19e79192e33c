/** How a meter is colored: fine, getting full (80 %), or full (95 %). */
export function meterLevel(percent: number): 'meter-ok' | 'meter-warn' | 'meter-error' {
  return percent >= 95 ? 'meter-error' : percent >= 80 ? 'meter-warn' : 'meter-ok';
}
