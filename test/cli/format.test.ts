// The pieces of the CLI's output for people: exact decimal quantities and aligned tables.
import { describe, expect, it } from 'vitest';
import { outputFormat } from '../../src/cli/format/output-mode';
import { parseDecimal } from '../../src/core/money/decimal';
import { decimalText, durationText, hoursText, kWhText } from '../../src/cli/format/quantity';
import { renderTable, streamedTable, type Column } from '../../src/cli/format/table';

describe('quantities as exact decimals', () => {
  it('gives kWh and hours exactly, and marks the hours that have no finite decimal form', () => {
    expect([kWhText(12_345), kWhText(5520, 3), kWhText('12345.678'), kWhText(0, 3), kWhText(7, 3), kWhText('0.001')]).toEqual(['12.345', '5.520', '12.345678', '0.000', '0.007', '0.000001']);
    expect(decimalText(parseDecimal('4.0000001'), 2)).toBe('4.0000001');
    expect([hoursText(900), hoursText(3600), hoursText(9), hoursText(300), hoursText(1)]).toEqual(['0.25', '1', '0.0025', '≈0.083333', '≈0.000278']);
    expect([durationText(0), durationText(1800), durationText(362_439)]).toEqual(['0:00:00', '0:30:00', '100:40:39']);
  });
});

describe('tables', () => {
  const cols: Column<[string, number]>[] = [
    { title: 'name', max: 6, cell: (r) => r[0] },
    { title: 'n', align: 'right', cell: (r) => String(r[1]) },
  ];

  it('pads every row to the same column starts, cutting long text but never numbers', () => {
    expect(renderTable(cols, [['a', 1], ['abcdefghij', 123_456]])).toEqual(['name         n', 'a            1', 'abcde…  123456']);
    const t = streamedTable([{ ...cols[0], width: 4 }, { ...cols[1], width: 5 }]);
    expect([t.header, t.row(['abcdef', 7])]).toEqual(['name      n', 'abc…      7']);
  });

  it('chooses the table only on a terminal unless asked', () => {
    const formats = ['table', 'jsonl', 'csv'];
    expect(outputFormat({ isTTY: true, formats })).toBe('table');
    expect(outputFormat({ isTTY: false, formats })).toBe('jsonl');
    expect(outputFormat({ isTTY: true, json: true, formats })).toBe('jsonl');
    expect(outputFormat({ isTTY: false, format: 'table', formats })).toBe('table');
    expect(() => outputFormat({ isTTY: true, format: 'xml', formats })).toThrow(/--format must be table, jsonl or csv, got "xml"/);
  });
});
