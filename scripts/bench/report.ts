/**
 * The figures of one run. Each measurement is printed as soon as it is known,
 * so a long run shows progress, and the whole report is rendered as Markdown
 * at the end, in section order rather than in the order things ran.
 */

export interface Measurement {
  title: string;
  /** One line: how the figures were obtained, so nobody has to read the code to trust them. */
  method: string;
  rows: readonly (readonly [label: string, value: string])[];
}

interface Section {
  order: number;
  title: string;
  measurements: Measurement[];
  notes: string[];
}

export class Report {
  readonly #machine: (readonly [string, string])[] = [];
  readonly #sections = new Map<number, Section>();
  readonly #print: (line: string) => void;

  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  machine(rows: readonly (readonly [string, string])[]): void {
    this.#machine.push(...rows);
    this.#print('Machine');
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) this.#print(`  ${label.padEnd(width)}  ${value}`);
    this.#print('');
  }

  section(order: number, title: string): void {
    this.#sections.set(order, { order, title, measurements: [], notes: [] });
    this.#print(`${order}. ${title}`);
  }

  add(order: number, measurement: Measurement): void {
    this.#sectionOf(order).measurements.push(measurement);
    this.#print(`  ${measurement.title}`);
    this.#print(`    method: ${measurement.method}`);
    const width = Math.max(...measurement.rows.map(([label]) => label.length));
    for (const [label, value] of measurement.rows) this.#print(`    ${label.padEnd(width)}  ${value}`);
  }

  /** A caveat that belongs to the figures of a section (what they do and do not include). */
  note(order: number, text: string): void {
    this.#sectionOf(order).notes.push(text);
    this.#print(`  note: ${text}`);
  }

  markdown(): string {
    const out: string[] = ['## Machine', '', '| | |', '| --- | --- |'];
    for (const [label, value] of this.#machine) out.push(`| ${cell(label)} | ${cell(value)} |`);
    const sections = [...this.#sections.values()].sort((a, b) => a.order - b.order);
    for (const section of sections) {
      out.push('', `## ${section.order}. ${section.title}`);
      for (const measurement of section.measurements) {
        out.push(
          '',
          `**${measurement.title}.** Method: ${measurement.method}.`,
          '',
          '| | |',
          '| --- | ---: |',
        );
        for (const [label, value] of measurement.rows) out.push(`| ${cell(label)} | ${cell(value)} |`);
      }
      if (section.notes.length > 0) out.push('');
      for (const note of section.notes) out.push(`- ${note}`);
    }
    return `${out.join('\n')}\n`;
  }

  #sectionOf(order: number): Section {
    const section = this.#sections.get(order);
    if (section === undefined) throw new Error(`report section ${order} was not opened`);
    return section;
  }
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}
