/**
 * The alarm performance figures the report compares with, as commonly cited
 * from EEMUA 191 and ANSI/ISA-18.2 (IEC 62682): guideline values for one
 * operator position, meant to be assessed over at least 30 days.
 */

export type Verdict = 'ok' | 'warn' | 'bad' | 'info';

export const GUIDELINE = {
  /** Average annunciated alarms per 10 minutes: ~1 acceptable, ~2 the maximum manageable. */
  avgPer10min: { acceptable: 1, maximum: 2 },
  /** A 10-minute window with more alarms than this is an alarm flood. */
  floodAbove: 10,
  /** Share of 10-minute windows in flood. */
  floodShare: 0.01,
  /** Share of the alarm load from the 10 most frequent alarms: ~1 %, 5 % at most. */
  top10Share: { acceptable: 0.01, maximum: 0.05 },
  /** Chattering alarms: none (each one gets an action plan). */
  chattering: 0,
  /** Standing (stale, active for more than 24 h) alarms: fewer than 5 on any day. */
  standingBelow: 5,
  /** Annunciated alarms by priority (critical counted with high). */
  priority: { low: 0.8, medium: 0.15, high: 0.05 },
  /** Days of data the figures are meant to be judged over. */
  minDays: 30,
} as const;

export const REFERENCES = [
  'EEMUA Publication 191, Alarm systems: a guide to design, management and procurement (3rd edition, 2013)',
  'ANSI/ISA-18.2-2016, Management of Alarm Systems for the Process Industries: monitoring and assessment, alarm performance metrics',
  'IEC 62682, Management of alarm systems for the process industries (the international edition of ISA-18.2)',
] as const;

export function averageVerdict(avgPer10min: number): Verdict {
  if (avgPer10min <= GUIDELINE.avgPer10min.acceptable) return 'ok';
  return avgPer10min <= GUIDELINE.avgPer10min.maximum ? 'warn' : 'bad';
}

export function peakVerdict(peak10min: number): Verdict {
  return peak10min <= GUIDELINE.floodAbove ? 'ok' : 'bad';
}

export function floodShareVerdict(share: number): Verdict {
  return share < GUIDELINE.floodShare ? 'ok' : 'bad';
}

export function top10Verdict(share: number | null): Verdict {
  if (share === null) return 'info';
  if (share <= GUIDELINE.top10Share.acceptable) return 'ok';
  return share <= GUIDELINE.top10Share.maximum ? 'warn' : 'bad';
}

export function chatteringVerdict(count: number): Verdict {
  return count <= GUIDELINE.chattering ? 'ok' : 'bad';
}

export function standingVerdict(maxPerDay: number): Verdict {
  return maxPerDay < GUIDELINE.standingBelow ? 'ok' : 'bad';
}

export const VERDICT_LABEL: Record<Verdict, string> = {
  ok: 'Meets guideline',
  warn: 'Above target',
  bad: 'Outside guideline',
  info: 'For review',
};
