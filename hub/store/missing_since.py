"""Each child's `missing_since` (the column Still missing reads, migration 0019) filled in
again from its state, for the rows a writer left wrong: an older hub beside a newer one
in an upgrade writes states and leaves the column as it was (docs/pipeline.md, Upgrading)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Text, bindparam, select

from hub.store.outcomes import CHILDREN, STATE

CHUNK = 500


def refill_chunk(connection: Connection, after: str) -> tuple[str | None, int]:
    """The next chunk of children (by id, after `after`) checked and mended: the last id
    read (None when none was left) and how many rows were changed. Read unlocked, as
    retention reads them; a row written since it was read (its `updated_at` moved) is left to
    its writer, so a running hub's newer state is never overwritten from an older one."""
    children = CHILDREN.c
    rows = connection.execute(
        select(children.child_id, children.state.cast(Text), children.updated_at)
        .add_columns(children.missing_since)
        .where(children.child_id > after)
        .order_by(children.child_id)
        .limit(CHUNK)
    ).all()
    if not rows:
        return None, 0
    wrong = [
        {"id": child_id, "read": updated_at, "since": since}
        for child_id, state, updated_at, stored in rows
        for since in (STATE.validate_json(state).missing_since(),)
        if since != stored
    ]
    changed = 0
    if wrong:
        changed = connection.execute(
            CHILDREN.update()
            .where(children.child_id == bindparam("id"), children.updated_at == bindparam("read"))
            .values(missing_since=bindparam("since")),
            wrong,
        ).rowcount
    return rows[-1][0], changed


def refill_missing_since(engine: Engine) -> int:
    """Every child's row checked against its state, a chunk a transaction (a running hub's
    batches wait for no more than one chunk's rows); how many rows were mended."""
    after: str | None = ""
    mended = 0
    while after is not None:
        with engine.begin() as connection:
            after, changed = refill_chunk(connection, after)
        mended += changed
    return mended
