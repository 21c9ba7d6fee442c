"""Each child's derived columns (`missing_since`, which Still missing reads, migration 0019;
`earliest_return`, which retention reads, migration 0021) filled in again from its state,
for the rows a writer left wrong: an older hub beside a newer one in an upgrade writes
states and leaves the columns as they were (docs/pipeline.md, Upgrading)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, Text, bindparam, select

from hub.store.outcomes import CHILDREN, DERIVED, STATE

CHUNK = 500


def refill_chunk(
    connection: Connection, after: str, columns: Sequence[str] = tuple(DERIVED)
) -> tuple[str | None, int]:
    """The next chunk of children (by id, after `after`) checked and mended, each of the
    `columns` (a migration names those its schema has): the last id read (None when none
    was left) and how many rows were changed. Read unlocked, as retention reads them; a row
    written since it was read (its `updated_at` moved) is left to its writer, so a running
    hub's newer state is never overwritten from an older one."""
    children = CHILDREN.c
    rows = connection.execute(
        select(children.child_id, children.state.cast(Text), children.updated_at)
        .add_columns(*(children[name] for name in columns))
        .where(children.child_id > after)
        .order_by(children.child_id)
        .limit(CHUNK)
    ).all()
    if not rows:
        return None, 0
    wrong = []
    for child_id, state, updated_at, *stored in rows:
        child = STATE.validate_json(state)
        derived = [DERIVED[name](child) for name in columns]
        if derived != stored:
            values = {f"new_{name}": value for name, value in zip(columns, derived, strict=True)}
            wrong.append({"id": child_id, "read": updated_at, **values})
    changed = 0
    if wrong:
        changed = connection.execute(
            CHILDREN.update()
            .where(children.child_id == bindparam("id"), children.updated_at == bindparam("read"))
            .values({name: bindparam(f"new_{name}") for name in columns}),
            wrong,
        ).rowcount
    return rows[-1][0], changed


def refill_missing_since(engine: Engine) -> int:
    """Every child's row checked against its state, both derived columns, a chunk a
    transaction (a running hub's batches wait for no more than one chunk's rows); how many
    rows were mended."""
    after: str | None = ""
    mended = 0
    while after is not None:
        with engine.begin() as connection:
            after, changed = refill_chunk(connection, after)
        mended += changed
    return mended
