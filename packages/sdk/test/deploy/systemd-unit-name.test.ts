import { expect, test } from 'vitest';
import { isSystemdUnitName, systemdUnitPath, systemdUnitStep } from '../../src/deploy/steps/systemd-unit.ts';

test('the unit names systemdUnitStep accepts are the names isSystemdUnitName accepts', () => {
  for (const name of ['fleet-bus.service', 'fleet@1.service', 'backup.timer', 'a:b_c.d.socket']) {
    expect(isSystemdUnitName(name), name).toBe(true);
    expect(() => systemdUnitStep({ unit: name, content: '[Unit]\n' }), name).not.toThrow();
  }
  for (const name of ['fleet-bus', 'fleet bus.service', '../x.service', 'x.service.bak', '.service~']) {
    expect(isSystemdUnitName(name), name).toBe(false);
    expect(() => systemdUnitStep({ unit: name, content: '[Unit]\n' }), name).toThrow(/Invalid unit name/);
  }
  expect(systemdUnitPath('fleet-bus.service')).toBe('/etc/systemd/system/fleet-bus.service');
});
