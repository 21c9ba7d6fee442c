"""Who may use the console and what each may do, and the audit trail of what they did.

Three roles, each including the one before: a viewer reads the routing log, timelines,
deadlines, the outbox and the refusals, all with children's personal data masked; an
operator may also retry deliveries, replay refused messages, route held duties again, record
an answer on an agency's behalf and reveal a child's personal data (each recorded); an admin
may also read the audit trail. Users are created on the
command line (`hub users add`), with a password of at least 12 characters hashed with
argon2id: there is no default user and no default password."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.console.roles import Role
from hub.store.models import AuditEntry, ConsoleUser

MIN_PASSWORD = 12
_HASHER = PasswordHasher()
# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


class Operator(BaseModel):
    """Someone signed in."""

    username: str
    role: Role


class BadUser(ValueError):
    """A user that cannot be created; the message names the field."""


def add_user(
    session: Session, username: str, password: str, role: Role, now: datetime, by: str
) -> None:
    if not username.isascii() or not username.replace("-", "").replace(".", "").isalnum():
        raise BadUser("username: letters, digits, '.' and '-' only")
    if not 1 <= len(username) <= 64:
        raise BadUser("username: 1 to 64 characters")
    if len(password) < MIN_PASSWORD:
        raise BadUser(f"password: at least {MIN_PASSWORD} characters")
    if session.get(ConsoleUser, username) is not None:
        raise BadUser(f"username: {username!r} exists already")
    session.add(
        ConsoleUser(
            username=username, password_hash=_HASHER.hash(password), role=role, created_at=now
        )
    )
    record(session, now, by, "add_user", username, f"role {role}")


def authenticate(session: Session, username: str, password: str) -> Operator | None:
    user = session.get(ConsoleUser, username[:64])
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return Operator(username=user.username, role=Role(user.role)) if user else None


def find_user(
    session: Session, username: str, signed_in_at: datetime | None = None
) -> Operator | None:
    """The user, if it still exists and, for a session begun at `signed_in_at`, has not
    signed out since, and is the account that session began under: a user removed and
    added again (a password reset, a new role) is a new account, and the removed one's
    cookie must not sign in to it."""
    user = session.get(ConsoleUser, username[:64])
    if user is None:
        return None
    if signed_in_at is not None:
        ended = user.signed_out_at
        if signed_in_at < user.created_at or (ended is not None and signed_in_at <= ended):
            return None
    return Operator(username=user.username, role=Role(user.role))


def sign_out(session: Session, username: str, now: datetime) -> None:
    """End every session of the user, on the server: a copied cookie stops working too."""
    user = session.get(ConsoleUser, username[:64])
    if user is not None:
        user.signed_out_at = now
        record(session, now, username, "sign_out", username, "every session ended")


def remove_user(session: Session, username: str, now: datetime, by: str) -> None:
    """Remove a user; its sessions end with it. The audit trail keeps what it did."""
    user = session.get(ConsoleUser, username[:64])
    if user is None:
        raise BadUser(f"username: {username!r} is not a console user")
    session.delete(user)
    record(session, now, by, "remove_user", username, f"role {user.role}")


def record(
    session: Session, at: datetime, who: str, action: str, target: str, outcome: str
) -> None:
    """One line of the audit trail, in the caller's transaction: written with what it
    records, or not at all."""
    session.add(AuditEntry(at=at, who=who, action=action, target=target[:255], outcome=outcome))


class AuditLine(BaseModel):
    at: datetime
    who: str
    action: str
    target: str
    outcome: str


AUDIT_PAGE = 200


def audit_trail(
    session: Session,
    limit: int = AUDIT_PAGE,
    page: int = 1,
    who: str | None = None,
    target: str | None = None,
) -> list[AuditLine]:
    """The trail newest first, a page at a time, of one user or one target (an episode: who
    saw the child's record) if asked: every line, however long ago, can be reached."""
    query = select(AuditEntry)
    if who is not None:
        query = query.where(AuditEntry.who == who)
    if target is not None:
        query = query.where(AuditEntry.target == target)
    query = query.order_by(AuditEntry.id.desc()).limit(limit).offset((page - 1) * limit)
    rows = session.scalars(query)
    return [
        AuditLine(at=r.at, who=r.who, action=r.action, target=r.target, outcome=r.outcome)
        for r in rows
    ]
