import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The striped, horizontally scrolling list table of the admin and gateway screens: a labelled
 * table with one header row (an empty string gives an unlabelled column, e.g. for actions) and
 * the caller's rows as its body.
 */
export function ListTable({
  label,
  testId,
  minWidth,
  columns,
  children,
}: {
  label: string;
  testId: string;
  minWidth: number;
  columns: string[];
  children: ReactNode;
}) {
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped aria-label={label} data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the header row is fixed per table
              <Table.Th key={i}>{c || null}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
