"""What a refusal report on notify.<agency>.refusals tells an agency with no standing for
the child: nothing of the child's episode (issue 13: a sender reads its own refusals)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.store.models import OutboxMessage
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of

DIRECTORY = load_directory()
REPORTED = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
MISSING_SINCE = datetime(2026, 11, 20, 16, 15, tzinfo=UTC)  # the example MISPER report's
Store = sessionmaker[Session]


def essex_says_a_meeting_was_held(at: datetime, event_id: str) -> dict[str, object]:
    """Essex (neither the child's placing nor its host authority, and owed nothing in the
    episode) on its own topic, naming itself as it must."""
    document = example("10-strategy-meeting-held")
    document["id"] = event_id
    document["source"] = "/la/essex/case-system"
    document["data"].update(answered_by="essex", held_at=at.isoformat())
    document["data"].pop("next_meeting_at")
    return document


def problems_told(store: Store, agency: str) -> list[list[dict[str, str]]]:
    """The problems of each refusal reported to `agency`, oldest first."""
    with store() as session:
        values = session.scalars(
            select(OutboxMessage.value)
            .where(OutboxMessage.topic == f"notify.{agency}.refusals")
            .order_by(OutboxMessage.id)
        ).all()
    return [json.loads(value)["problems"] for value in values]


def either_side_of_going_missing(
    store: Store, topic: str, document: Callable[[datetime, str], dict[str, object]]
) -> None:
    """The MISPER report, then the same message dated a minute before and a minute after
    the child went missing: what a stranger would try to find that minute."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    tries = (MISSING_SINCE - timedelta(minutes=1), MISSING_SINCE + timedelta(minutes=1))
    for number, at in enumerate(tries):
        record = record_of(document(at, f"try-{number}"), topic)
        apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(hours=1))


def test_a_strangers_refusals_do_not_tell_it_when_the_child_went_missing(store: Store) -> None:
    topic = "inbound.strategy-meeting-held.essex"
    either_side_of_going_missing(store, topic, essex_says_a_meeting_was_held)
    before, after = problems_told(store, "essex")
    # On the code as shipped: [{'field': 'data.held_at', 'reason': 'is before the child went
    # missing'}] one minute before the child went missing, and 'data.notification_id: is not
    # a notification with a deadline in this episode' one minute after: two tries a step
    # apart, halving the interval, and Essex has the minute the child went missing.
    assert before == after


def kent_disagrees(at: datetime, event_id: str) -> dict[str, object]:
    """Kent: neither the child's placing authority (the home authority) nor its host
    (Luton), on its own topic, naming itself as it must."""
    document = example("04-risk-disagreement")
    document["id"] = event_id
    document["source"] = "/la/kent/case-system"
    document["data"].update(raised_at=at.isoformat())
    return document


def test_a_risk_disagreement_from_an_authority_with_no_standing_tells_it_nothing(
    store: Store,
) -> None:
    """6.7 is a disagreement between the professionals working with the child. Kent has
    none there: on the code as shipped its disagreement one minute before the child went
    missing is refused 'data.raised_at: is before the child went missing', and one minute
    after is taken (duties to the team manager and the police, and no refusal): Kent finds
    the minute the child went missing, and by the same means ('this episode is closed: the
    child was found') the minute it was found."""
    either_side_of_going_missing(store, "inbound.risk-disagreement.kent", kent_disagrees)
    reports = problems_told(store, "kent")
    assert len(reports) == 2, reports  # both refused
    assert reports[0] == reports[1]
    assert reports[0][0]["field"] != "data.raised_at"


def test_the_childs_host_authority_may_still_raise_a_disagreement(store: Store) -> None:
    """The example child lives in Luton (its residence authority): Luton's is taken."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    document = kent_disagrees(MISSING_SINCE + timedelta(hours=1), "luton-1")
    document["source"] = "/la/luton/case-system"
    record = record_of(document, "inbound.risk-disagreement.luton")
    result = apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(hours=1))
    assert result.applied == 1


def test_a_disagreement_is_taken_when_the_report_names_an_authority_the_directory_lacks(
    store: Store,
) -> None:
    """The report names its responsible authority in a way the directory does not know
    ("Kent CC"): who placed the child cannot be checked, and refusing Kent, which may be
    it, would lose a 12-hour escalation (6.7) over the hub's own gap."""
    changes = {"responsible_authority": "Kent CC"}
    apply_batch(store, [misper_record(data=changes)], DIRECTORY, REPORTED)
    record = record_of(
        kent_disagrees(MISSING_SINCE + timedelta(hours=1), "kent-1"),
        "inbound.risk-disagreement.kent",
    )
    result = apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(hours=1))
    assert result.applied == 1
