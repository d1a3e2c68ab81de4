import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTargetEntries } from '../lib/target-list';
import { targetsFileEntries } from '../lib/targets-file';
import { isStructuredTargets, parseTargetsFile, TargetsFileError } from '../lib/targets-file';

/** The file's entries as the CLI places them ("fleet.yaml:12"), parsed. */
function read(text: string, name = 'fleet.yaml') {
  return parseTargetEntries(targetsFileEntries(name, text, (line) => `${name}:${line}`, '/etc/certcheck'));
}

function problems(text: string): string[] {
  return read(text).bad.map((b) => `${b.where}: ${b.reason}`);
}

describe('recognising a structured targets file', () => {
  it('takes .yaml, .yml and .json names as structured', () => {
    expect(['a.yaml', 'a.YML', 'a.json'].map((n) => isStructuredTargets(n, 'example.com'))).toEqual([true, true, true]);
  });

  it('takes a file whose first line that is not a comment starts a mapping or list as structured', () => {
    expect(isStructuredTargets('fleet', '# fleet\n\ntargets:\n  - a.example\n')).toBe(true);
    expect(isStructuredTargets('fleet', 'defaults:\n')).toBe(true);
    expect(isStructuredTargets('fleet', '- a.example\n')).toBe(true);
    expect(isStructuredTargets('fleet', '{"targets": []}')).toBe(true);
  });

  it('reads a plain list as before, pins and comments included', () => {
    const text = '# web\nexample.com\napi.internal:443 @10.0.0.7\nbad host\n';
    expect(isStructuredTargets('targets.txt', text)).toBe(false);
    const parsed = read(text, 'targets.txt');
    expect(parsed.targets.map((t) => t.input)).toEqual(['example.com', 'api.internal:443 @10.0.0.7']);
    expect(parsed.targets.every((t) => t.settings === undefined)).toBe(true);
    expect(parsed.pins.get('api.internal:443')).toBe('10.0.0.7');
    expect(parsed.bad.map((b) => b.where)).toEqual(['targets.txt:4']);
  });
});

describe('reading a structured targets file', () => {
  it('gives each target its own settings over the defaults', () => {
    const parsed = read(
      [
        'defaults:',
        '  warnDays: 21',
        '  labels: [fleet]',
        'targets:',
        '  - www.example.com',
        '  - target: api.internal:8443',
        '    address: 10.0.0.7',
        '    servername: API.example.com',
        '    ca: certs/ca.pem',
        '    caMode: replace',
        '    criticalDays: 14',
        '    alerts: [Ops, payments]',
        '    labels: [team platform]',
      ].join('\n'),
    );
    expect(parsed.bad).toEqual([]);
    expect(parsed.targets[0].settings).toEqual({ warnDays: 21, labels: ['fleet'] });
    expect(parsed.targets[1]).toMatchObject({ host: 'api.internal', port: 8443, input: 'api.internal:8443' });
    expect(parsed.targets[1].settings).toEqual({
      warnDays: 21,
      criticalDays: 14,
      address: '10.0.0.7',
      servername: 'api.example.com',
      ca: { file: resolve('/etc/certcheck', 'certs/ca.pem'), mode: 'replace' },
      alerts: ['ops', 'payments'],
      labels: ['team platform'],
    });
  });

  it('reads JSON too, and a list without a targets: key', () => {
    const parsed = read('{"targets": ["a.example", {"target": "b.example", "warnDays": 10, "criticalDays": 3}]}', 'fleet.json');
    expect(parsed.targets.map((t) => [t.host, t.settings])).toEqual([
      ['a.example', undefined],
      ['b.example', { warnDays: 10, criticalDays: 3 }],
    ]);
    expect(read('- a.example\n- b.example:8443 @192.0.2.1\n', 'fleet').targets.map((t) => t.settings)).toEqual([undefined, { address: '192.0.2.1' }]);
  });

  it('puts a relative ca beside an s3:// targets file', () => {
    const [entry] = parseTargetsFile('- target: a.example\n  ca: ../pki/ca.pem\n', 's3://bucket/config/');
    expect(entry.settings.ca).toEqual({ file: 's3://bucket/pki/ca.pem', mode: 'add' });
  });

  it('names the line and the key of each bad value, and checks the entries around it', () => {
    const text = [
      'targets:', // 1
      '  - target: a.example', // 2
      '    warnDays: soon', // 3
      '  - target: b.example', // 4
      '    critcalDays: 3', // 5
      '    labels: team', // 6
      '  - c.example', // 7
      '  - target: d.example', // 8
      '    caMode: replace', // 9
      '    address: db.internal', // 10
      '  - target: e.example', // 11
      '    warnDays: 3', // 12
      '    criticalDays: 5', // 13
      '  - [a.example, b.example]', // 14
      '  - target: f.example', // 15
      '    servername: f.example:443', // 16
      '    alerts: ["no spaces"]', // 17
      '  - warnDays: 3', // 18
    ].join('\n');
    expect(problems(text)).toEqual([
      'fleet.yaml:3: warnDays must be a number of days ≥ 0 (whole, at most 3650), got "soon"',
      'fleet.yaml:5: unknown key "critcalDays" (known keys: target, servername, address, ca, caMode, warnDays, criticalDays, alerts, labels)',
      'fleet.yaml:6: labels must be a list, got "team"',
      'fleet.yaml:10: address must be an IP address to connect to, got "db.internal"',
      'fleet.yaml:8: caMode needs ca: the PEM file of the CAs to add or to trust alone',
      'fleet.yaml:11: criticalDays (5) must not be above warnDays (3): a certificate warns first, then turns critical',
      'fleet.yaml:14: a target must be a string or a mapping with target:, got a list',
      'fleet.yaml:16: servername must be a host name (no port, scheme or IP address), got "f.example:443"',
      'fleet.yaml:17: alerts: "no spaces" is not a webhook name (letters, digits, "-" and "_", starting with a letter)',
      'fleet.yaml:18: no target: (every entry names the target it is about)',
    ]);
    expect(read(text).targets.map((t) => t.host)).toEqual(['c.example']);
  });

  it('suggests the key meant when only its case or spelling with - differs', () => {
    expect(problems('- target: a.example\n  warn-days: 3\n')).toEqual(['fleet.yaml:2: unknown key "warn-days" (did you mean warnDays?)']);
  });

  it('refuses a bad target string at its line, as a plain list does', () => {
    expect(problems('targets:\n  - target: "bad host"\n')).toEqual(['fleet.yaml:2: invalid target "bad host": contains spaces']);
  });

  it('checks a repeated target once and names where it first stands', () => {
    const parsed = read('- a.example\n- target: A.example:443\n  warnDays: 3\n  criticalDays: 1\n');
    expect(parsed.targets).toHaveLength(1);
    expect(parsed.duplicates).toEqual([{ where: 'fleet.yaml:2', entry: 'A.example:443', first: 'fleet.yaml:1' }]);
  });

  it('tells every target that a bad default leaves it out, rather than run without the setting', () => {
    expect(problems('defaults:\n  warnDays: -1\ntargets:\n  - a.example\n')).toEqual(['fleet.yaml:4: defaults (line 2): warnDays must be a number of days ≥ 0 (whole, at most 3650), got -1']);
    expect(problems('defaults:\n  address: 10.0.0.1\ntargets:\n  - a.example\n')).toEqual([
      'fleet.yaml:4: defaults (line 2): unknown key "address" (address is set per target, not in defaults)',
    ]);
  });

  it('refuses a file that is not YAML, naming the line of the syntax error', () => {
    const text = 'targets:\n  - a.example\n  - target: b.example\n    labels: [one, two\n  - c.example\n';
    expect(() => parseTargetsFile(text)).toThrow(TargetsFileError);
    try {
      parseTargetsFile(text);
    } catch (err) {
      expect((err as TargetsFileError).line).toBeGreaterThanOrEqual(4);
      expect((err as Error).message).toMatch(/^not valid YAML or JSON: /);
    }
  });

  it('refuses a repeated key in a mapping as a syntax error at its line', () => {
    expect(() => parseTargetsFile('- target: a.example\n  warnDays: 3\n  warnDays: 4\n')).toThrow(expect.objectContaining({ line: 3, message: expect.stringMatching(/unique/) }));
  });

  it('refuses a file of the wrong shape with the line of what is wrong', () => {
    expect(() => parseTargetsFile('targets: a.example\n')).toThrow(expect.objectContaining({ line: 1, message: 'the targets must be a list, got "a.example"' }));
    expect(() => parseTargetsFile('defaults: {}\nhosts: []\n')).toThrow(expect.objectContaining({ line: 2, message: expect.stringContaining('unknown top-level key "hosts"') }));
    expect(() => parseTargetsFile('defaults:\n  warnDays: 3\n')).toThrow(expect.objectContaining({ message: expect.stringContaining('no targets: list') }));
  });

  it('reads the example fleet file of the README without a problem', () => {
    const path = join(__dirname, '..', 'examples', 'fleet.yaml');
    const parsed = parseTargetEntries(targetsFileEntries(path, readFileSync(path, 'utf8'), (line) => `fleet.yaml:${line}`, join(__dirname, '..', 'examples')));
    expect(parsed.bad).toEqual([]);
    expect(parsed.targets).toHaveLength(5);
    expect(parsed.targets[4].settings).toMatchObject({ servername: 'api.example.com', address: '10.0.0.7', ca: { mode: 'replace' }, alerts: ['ops', 'payments'] });
  });
});
