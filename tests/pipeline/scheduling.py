"""Timers fired as a scheduler that never stopped fires them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.routing.directory import Directory
from hub.service.timers import fire_due_timers
from hub.store.models import TimerRecord


def fired_on_time(store: sessionmaker[Session], directory: Directory, until: datetime) -> None:
    """The timers due by `until` fired each in a round of its own at the moment it falls
    due, so each is decided then (a round fired late decides as of its own time)."""
    while True:
        with store() as session:
            due = session.scalar(
                select(func.min(TimerRecord.due)).where(
                    TimerRecord.status == "pending", TimerRecord.due <= until
                )
            )
        if due is None:
            return
        fire_due_timers(store, directory, due)
