import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClientError } from '@paperline/client';
import { PaperlineError } from '@paperline/contracts';
import { outputNames } from './commands/parse.js';
import { renderTable } from './commands/status.js';
import { CliError, ExitCodes, exitCodeOf } from './errors.js';

describe('parse output names', () => {
  it('drops the extension, and keeps it only where two inputs would collide', () => {
    expect(outputNames(['in/paper.pdf', 'scans/a.png', 'other/a.pdf', 'noext'], 'md')).toEqual(['paper.md', 'a.png.md', 'a.pdf.md', 'noext.md']);
    expect(outputNames(['x/report.v2.pdf'], 'json')).toEqual(['report.v2.json']);
  });
});

describe('exit codes', () => {
  it.each([
    [new ClientError('DOCUMENT_FAILED'), ExitCodes.FAILED],
    [new ClientError('DOCUMENT_NOT_FOUND'), ExitCodes.NOT_FOUND],
    [new ClientError('NOT_READY'), ExitCodes.NOT_READY],
    [new ClientError('WAIT_TIMEOUT'), ExitCodes.NOT_READY],
    [new ClientError('INVALID_OPTION'), ExitCodes.USAGE],
    [new ClientError('SUBMIT_FAILED'), ExitCodes.UNAVAILABLE],
    [new PaperlineError('EMPTY_FILE'), ExitCodes.INPUT_REJECTED],
    [new PaperlineError('CONNECTION_LOST'), ExitCodes.UNAVAILABLE],
    [Object.assign(new Error('no such file'), { code: 'ENOENT' }), ExitCodes.INPUT_REJECTED],
    [Object.assign(new Error('cannot connect'), { code: 'BUS_CONNECT_FAILED' }), ExitCodes.UNAVAILABLE],
    [new CliError('usage', ExitCodes.USAGE), ExitCodes.USAGE],
    [new TypeError('a bug'), ExitCodes.INTERNAL],
  ])('%s -> %i', (error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });
});

describe('tables', () => {
  it('pads columns to the widest cell', () => {
    expect(renderTable(['A', 'LONG HEADER'], [['wide cell', 'x'], ['b', '']])).toEqual(['A          LONG HEADER', 'wide cell  x', 'b']);
  });
});

describe('documentation', () => {
  it('the user guide lists every exit code', () => {
    const guide = readFileSync(new URL('../../../docs/user-guide.md', import.meta.url), 'utf8');
    for (const [name, code] of Object.entries(ExitCodes)) expect(guide, name).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
