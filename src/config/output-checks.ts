/**
 * Output settings JSON Schema cannot judge: a route must say what it matches
 * and must be able to match something in this file, the state topic must be a
 * topic of its own (compaction would delete the history of a shared one), and
 * a schema registry only serves protobuf records.
 */
import { type CheckContext, entries } from './check-context.ts';
import { DEFAULTS } from './defaults.ts';
import { isRecord, type Path } from './paths.ts';

const CRITERIA = ['priority', 'kind', 'site', 'area'] as const;

export function checkOutput(context: CheckContext, site: Record<string, unknown>): void {
  const gateway = site.gateway;
  const kafka = isRecord(gateway) ? gateway.kafka : undefined;
  if (!isRecord(kafka)) return;
  const path: Path = ['gateway', 'kafka'];
  const areas = new Set(
    entries(site.devices, ['devices']).flatMap(({ item }) =>
      typeof item.area === 'string' ? [item.area] : [],
    ),
  );
  const routes = entries(kafka.routes, [...path, 'routes']);
  for (const route of routes) checkRoute(context, route.item, route.path, site.site, areas);
  checkStateTopic(context, kafka, path, routes);
  if (
    isRecord(kafka.schema_registry) &&
    kafka.encoding !== 'protobuf' &&
    context.clean([...path, 'encoding'])
  ) {
    context.report(
      'CONFIG_REFERENCE',
      [...path, 'schema_registry'],
      'key',
      'a schema registry is used for protobuf records only: set encoding: protobuf, or remove schema_registry',
    );
  }
}

function checkRoute(
  context: CheckContext,
  route: Record<string, unknown>,
  path: Path,
  siteId: unknown,
  areas: ReadonlySet<string>,
): void {
  const when = route.when;
  const whenPath = [...path, 'when'];
  if (!isRecord(when) || !context.clean(whenPath)) return;
  if (!CRITERIA.some((criterion) => when[criterion] !== undefined)) {
    context.report(
      'CONFIG_SCHEMA',
      whenPath,
      'container',
      `needs at least one of ${CRITERIA.join(', ')}: a route that matches everything would hide the default topic`,
    );
    return;
  }
  listed(when.site).forEach((value, index) => {
    if (value === siteId) return;
    const message = `never matches: this file's site is "${String(siteId)}"`;
    context.report('CONFIG_REFERENCE', [...whenPath, 'site', index], 'value', message);
  });
  listed(when.area).forEach((value, index) => {
    if (areas.has(value)) return;
    const known = [...areas].sort().join(', ');
    const message = `never matches: no device is in area "${value}" (areas: ${known})`;
    context.report('CONFIG_REFERENCE', [...whenPath, 'area', index], 'value', message);
  });
}

function checkStateTopic(
  context: CheckContext,
  kafka: Record<string, unknown>,
  path: Path,
  routes: readonly { item: Record<string, unknown>; path: Path }[],
): void {
  const stateTopic = kafka.state_topic;
  if (typeof stateTopic !== 'string' || !context.clean([...path, 'state_topic'])) return;
  const eventTopics = [
    kafka.topic === undefined
      ? { topic: DEFAULTS.topic, path }
      : { topic: kafka.topic, path: [...path, 'topic'] },
    ...routes.map((route) => ({ topic: route.item.topic, path: [...route.path, 'topic'] })),
  ];
  const shared = eventTopics.find(({ topic }) => topic === stateTopic);
  if (!shared) return;
  const message = `the state topic is compacted and must not carry events too (also used at line ${context.lineOf(shared.path)})`;
  context.report('CONFIG_REFERENCE', [...path, 'state_topic'], 'value', message);
}

function listed(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
