/** Exports the table or series on screen as CSV (the API's exact values). */
import { downloadCsv, toCsv, type CsvCell } from '../csv.ts';

export interface CsvButtonProps {
  filename: string;
  header: readonly string[];
  rows(): ReadonlyArray<readonly CsvCell[]>;
  label?: string;
}

export function CsvButton({ filename, header, rows, label = 'Export CSV' }: CsvButtonProps) {
  return (
    <button type="button" className="link-button" onClick={() => downloadCsv(filename, toCsv(header, rows()))} aria-label={`${label}: ${filename}`}>
      {label}
    </button>
  );
}
