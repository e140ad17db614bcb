"""Writing rows fast: COPY on PostgreSQL, Core inserts in batches elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from sqlalchemy import Connection, Table, func, insert, select

from digicoach.demo_data.flanders.common import BATCH, ScaleReport


class BulkWriter:
    """COPY on PostgreSQL (the fastest way in), Core `insert()` in batches elsewhere."""

    def __init__(self, connection: Connection, report: ScaleReport) -> None:
        self.connection = connection
        self.report = report
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        written = 0
        if self.postgres:
            names = ", ".join(f'"{name}"' for name in columns)
            cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            iterator = iter(rows)
            while batch := list(islice(iterator, BATCH)):
                self.connection.execute(
                    insert(table), [dict(zip(columns, r, strict=True)) for r in batch]
                )
                written += len(batch)
        self.report.rows[table.name] = self.report.rows.get(table.name, 0) + written
        return written

    def reset_sequences(self, tables: Iterable[Table]) -> None:
        """Ids were chosen here, so move PostgreSQL's sequences past them."""
        if not self.postgres:
            return
        for table in tables:
            following = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
            sequence = func.pg_get_serial_sequence(f'"{table.name}"', "id")
            self.connection.execute(select(func.setval(sequence, following, False)))


# --- names ------------------------------------------------------------------------------------
