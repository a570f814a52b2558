import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messageOf, renderTemplate } from '../../src/alarms/message.ts';
import { commDef, discreteDef, limitDef, Scenario } from './fixtures.ts';

describe('default messages', () => {
  test('limit alarm: raise, level change and return to normal', () => {
    const run = new Scenario(limitDef({ deadband: 0.2 }));
    run.read(10.5, 0);
    run.read(12.399999618530273, 100);
    run.read(9.4, 200);
    assert.deepEqual(
      run.events.map((e) => e.message),
      [
        'boiler-1 drum_pressure H alarm: 10.5 bar (limit 10)',
        'boiler-1 drum_pressure HH alarm: 12.4 bar (limit 12), was H',
        'boiler-1 drum_pressure HH alarm returned to normal: 9.4 bar',
      ],
    );
  });

  test('discrete alarm names the rule', () => {
    const run = new Scenario(discreteDef());
    run.read(true, 0);
    run.read(false, 100);
    assert.deepEqual(
      run.events.map((e) => e.message),
      ['boiler-1 burner_trip trip alarm', 'boiler-1 burner_trip trip alarm returned to normal'],
    );
  });

  test('communication alarm names the device', () => {
    const def = commDef();
    assert.equal(
      messageOf(def, { transition: 'raise', value: true }),
      'Communication lost with device boiler-plc',
    );
    assert.equal(
      messageOf(def, { transition: 'clear', value: false }),
      'Communication restored with device boiler-plc',
    );
  });
});

describe('message templates', () => {
  test('every placeholder is replaced', () => {
    const def = limitDef({ message: '{asset}|{point}|{value}|{unit}|{level}|{limit}|{alarm}|{device}' });
    assert.equal(
      messageOf(def, { transition: 'raise', value: 12.399999618530273, level: 'HH', limit: 12 }),
      'boiler-1|drum_pressure|12.4|bar|HH|12|pressure|boiler-plc',
    );
  });

  test('a placeholder repeated is replaced everywhere, unknown ones stay as written', () => {
    const def = limitDef({ message: '{point} {point} {nope} {Value}' });
    assert.equal(
      messageOf(def, { transition: 'raise', value: 1 }),
      'drum_pressure drum_pressure {nope} {Value}',
    );
  });

  test('placeholders without a value become empty', () => {
    const def = discreteDef({ message: '[{unit}][{level}][{limit}]' });
    assert.equal(renderTemplate(def.rule.message ?? '', def, { transition: 'raise', value: true }), '[][][]');
  });

  test('a clear renders the template and says it returned to normal', () => {
    const run = new Scenario(discreteDef({ message: 'Burner tripped on {asset}' }));
    run.read(true, 0);
    run.read(false, 100);
    assert.deepEqual(
      run.events.map((e) => e.message),
      ['Burner tripped on boiler-1', 'Burner tripped on boiler-1 (returned to normal)'],
    );
  });

  test('a level change renders the template with the new level', () => {
    const run = new Scenario(limitDef({ message: '{asset} pressure {level}: {value} {unit}' }));
    run.read(10.5, 0);
    run.read(12.5, 100);
    assert.equal(run.events[1]?.message, 'boiler-1 pressure HH: 12.5 bar');
  });
});
