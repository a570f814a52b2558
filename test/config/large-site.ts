/** Generated site files of many points, for the scaling tests and scripts/site-file-timing.ts. */

export interface LargeSiteOptions {
  /** Each point's rule has a deadband that is not a number: one schema problem per point. */
  brokenPoints?: boolean;
  /** Every point after the first takes its rule from the first through a merge key. */
  sharedRule?: boolean;
}

/** Line of the first point; each point takes POINT_LINES lines (without sharedRule). */
export const FIRST_POINT_LINE = 14;
export const POINT_LINES = 10;

/** One OPC UA device with `points` points, each with a limit rule. */
export function opcuaSite(points: number, options: LargeSiteOptions = {}): string {
  const lines = [
    'site: big',
    'gateway:',
    '  id: gw-1',
    'devices:',
    '  - id: ua-1',
    '    protocol: opcua',
    '    endpoint: opc.tcp://127.0.0.1:4840',
    '    security_mode: None',
    '    security_policy: None',
    '    area: a',
    '    line: l',
    '    asset: x',
    '    points:',
  ];
  const deadband = options.brokenPoints ? 'wide' : '2';
  for (let index = 0; index < points; index += 1) {
    lines.push(
      `      - id: p${index}`,
      `        node_id: "ns=2;s=Tank.Level.${index}"`,
      '        unit: "%"',
      '        alarms:',
    );
    if (options.sharedRule && index > 0) {
      lines.push('          - <<: *level_rule', `            deadband: ${deadband}`);
      continue;
    }
    // An anchor before `id:` on the same line would name the key, not the rule.
    if (options.sharedRule) lines.push('          - &level_rule', '            id: level');
    else lines.push('          - id: level');
    lines.push(
      '            kind: limit',
      `            deadband: ${deadband}`,
      '            H: { value: 85, priority: high }',
      '            L: { value: 15, priority: medium }',
      '            on_delay_ms: 1000',
    );
  }
  return `${lines.join('\n')}\n`;
}
