"""Making the cluster match an access plan: `hub access apply`, `add-agency` and
`rotate-password`, run by an operator connected as a user allowed to alter the cluster.

Idempotent: a user who has a credential keeps it, an ACL or topic that exists is left, and
only what is missing is made. A new user's password is random and written to a file
readable by its owner alone, `<credentials>/<user>.password`, to be handed to the agency;
no password is printed, logged or passed on a command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from hub.access.plan import AccessPlan
from hub.kafka.access_admin import (
    create_grants,
    existing_grants,
    remove_user,
    scram_users,
    set_password,
)
from hub.kafka.connection import KafkaConnection
from hub.kafka.security import write_new_password
from hub.kafka.topics import TopicConfig, ensure_topics

OFFBOARDED = ".offboarded"  # `<credentials>/<user>.offboarded`: see remove_agency


@dataclass
class Applied:
    users_created: list[str] = field(default_factory=list)
    grants_created: int = 0
    grants_kept: int = 0
    topics: int = 0
    offboarded: list[str] = field(default_factory=list)  # left out: see remove_agency

    def render(self, credentials: Path) -> str:
        users = ", ".join(self.users_created) or "none"
        lines = [
            f"users created ({len(self.users_created)}): {users}",
            f"ACLs created: {self.grants_created} (already there: {self.grants_kept})",
            f"agency topics present: {self.topics}",
        ]
        if self.users_created:
            lines.append(f"their passwords: {credentials}/<user>.password (mode 0600)")
        if self.offboarded:
            lines.append(
                f"offboarded, not made again ({len(self.offboarded)}): "
                f"{', '.join(self.offboarded)} (`hub access add-agency` onboards one again)"
            )
        return "\n".join(lines)


async def new_password(admin: AIOKafkaAdminClient, credentials: Path, user: str) -> None:
    """A random password, set on the cluster, then in `<credentials>/<user>.password`: the
    file is written beside (0600 from the start) and renamed into place only once the
    broker took the password, so a refusal leaves the old file, and the old password."""
    pending, password = _write_pending(credentials, user)
    try:
        await set_password(admin, user, password)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    pending.replace(credentials / f"{user}.password")


def _write_pending(credentials: Path, user: str) -> tuple[Path, str]:
    pending = credentials / f".{user}.password.new"
    pending.unlink(missing_ok=True)  # left by an interrupted run
    return pending, write_new_password(pending)


async def apply_plan(
    kafka: KafkaConnection, plan: AccessPlan, credentials: Path, topics: TopicConfig
) -> Applied:
    applied = Applied()
    admin = kafka.admin()
    try:
        await admin.start()
        have = await scram_users(admin)
        for user in plan.users:
            if user not in have:
                await new_password(admin, credentials, user)
                applied.users_created.append(user)
        existing = await existing_grants(admin)
        missing = [grant for grant in plan.grants if grant not in existing]
        await create_grants(admin, missing)
        applied.grants_created, applied.grants_kept = len(missing), len(plan.grants) - len(missing)
    finally:
        await admin.close()
    await ensure_topics(kafka, plan.topics, topics)
    applied.topics = len(plan.topics)
    return applied


async def remove_agency(kafka: KafkaConnection, user: str, credentials: Path) -> int:
    """Offboarding: the user's ACLs and credential go, and its password file. Its topics
    stay, with what they hold, until their retention deletes it (HUB_TOPIC_RETENTION_DAYS):
    nothing it sent is lost before the hub has read it."""
    admin = kafka.admin()
    try:
        await admin.start()
        removed = await remove_user(admin, user)
    finally:
        await admin.close()
    _forget_password(credentials, user)
    _remember_offboarded(credentials, user)
    return removed


def _forget_password(credentials: Path, user: str) -> None:
    (credentials / f"{user}.password").unlink(missing_ok=True)


def _remember_offboarded(credentials: Path, user: str) -> None:
    """Every force and authority of England is in the directory's reference lists, so a
    later `apply` for all of them would make the user again: remembered as offboarded
    beside the passwords, until `add-agency` onboards it again."""
    credentials.mkdir(mode=0o700, parents=True, exist_ok=True)
    (credentials / f"{user}{OFFBOARDED}").write_text("offboarded by hub access remove-agency\n")


def offboarded(credentials: Path) -> set[str]:
    """The agencies `remove-agency` offboarded, which `apply` does not make again."""
    return {path.name.removesuffix(OFFBOARDED) for path in credentials.glob(f"*{OFFBOARDED}")}


def onboard_again(credentials: Path, user: str) -> None:
    """`add-agency` of an agency offboarded before: `apply` makes it from now on."""
    (credentials / f"{user}{OFFBOARDED}").unlink(missing_ok=True)


async def rotate_password(kafka: KafkaConnection, user: str, credentials: Path) -> None:
    """A new password for a user who has one: the old one stops working at once (the agency
    is given the new file first, or reconnects with it at once)."""
    admin = kafka.admin()
    try:
        await admin.start()
        if user not in await scram_users(admin):
            raise LookupError(f"{user}: has no credential on the cluster; onboard it first")
        await new_password(admin, credentials, user)
    finally:
        await admin.close()
