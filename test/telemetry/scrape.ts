/** Reading the listener as a monitoring system does: parsed Prometheus text and JSON probes. */

/** The value of one series in Prometheus text, e.g. `gateway_device_up{device="press-plc"}`; undefined when absent. */
export function metricValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === series) return Number(line.slice(space + 1));
  }
  return undefined;
}

export async function scrape(base: string): Promise<string> {
  const response = await fetch(new URL('metrics', base));
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

export async function probe<T>(base: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(new URL(path, base));
  return { status: response.status, body: (await response.json()) as T };
}
