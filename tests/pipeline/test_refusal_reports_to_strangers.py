"""What a refusal report on notify.<agency>.refusals tells an agency with no standing for
the child: nothing of the child's episode (issue 13: a sender reads its own refusals)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.refusals import expire_held
from hub.settings import RetentionSettings
from hub.store.models import OutboxMessage, TimerRecord
from hub.store.retention import apply_retention
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of
from tests.routing.test_map_changes import VESTED

DIRECTORY = load_directory()
REPORTED = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
MISSING_SINCE = datetime(2026, 11, 20, 16, 15, tzinfo=UTC)  # the example MISPER report's
HOLD = timedelta(hours=24)
FOUND = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)  # the example found report's time
EPISODE, UNKNOWN = "EP-2026-0412", "EP-2026-9999"  # the example report's, and one never sent
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
    return [problems for _, problems in refusals_told(store, agency)]


def refusals_told(store: Store, agency: str) -> list[tuple[str, list[dict[str, str]]]]:
    """The kind and problems of each refusal reported to `agency`, oldest first."""
    return [(report["kind"], report["problems"]) for report in reports_told(store, agency)]


def reports_told(store: Store, agency: str) -> list[dict[str, Any]]:
    """The reports queued for `agency` on its refusals topic, oldest first."""
    with store() as session:
        values = session.scalars(
            select(OutboxMessage.value)
            .where(OutboxMessage.topic == f"notify.{agency}.refusals")
            .order_by(OutboxMessage.id)
        ).all()
    return [json.loads(value) for value in values]


def holds_expire(store: Store, at: datetime) -> None:
    with store.begin() as session:
        expire_held(session, at + HOLD + timedelta(minutes=1), HOLD, DIRECTORY)


def sent_about_each_episode(
    store: Store, topic: str, document: Callable[[str, str], dict[str, object]], at: datetime
) -> tuple[list[tuple[str, list[dict[str, str]]]], list[tuple[str, list[dict[str, str]]]]]:
    """The same message about the child's episode and about one the hub never had: what
    the sender was told at once, and then once the holds expired."""
    agency = topic.rsplit(".", 1)[1]
    for number, episode_id in enumerate((EPISODE, UNKNOWN)):
        record = record_of(document(episode_id, f"probe-{number}"), topic)
        apply_batch(store, [record], DIRECTORY, at)
    at_once = refusals_told(store, agency)
    holds_expire(store, at)
    return at_once, refusals_told(store, agency)


def about_the_childs_episode_and_another(
    store: Store, topic: str, document: Callable[[str, str], dict[str, object]]
) -> tuple[list[tuple[str, list[dict[str, str]]]], list[tuple[str, list[dict[str, str]]]]]:
    """The child reported missing, then `sent_about_each_episode` an hour later."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    return sent_about_each_episode(store, topic, document, REPORTED + timedelta(hours=1))


def essex_acknowledges(episode_id: str, event_id: str) -> dict[str, object]:
    """Essex, owed nothing in the episode, acknowledging the example's notification: the
    allocated worker's forms duty (3.3), owed to the home authority."""
    document = example("09-duty-acknowledged")
    document["id"] = event_id
    document["source"] = "/la/essex/case-system"
    document["data"].update(episode_id=episode_id, answered_by="essex")
    return document


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
    holds_expire(store, REPORTED + timedelta(hours=1))  # held, as no party (issue 14)
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
    child was found') the minute it was found. Both are held now, as no party's, and
    refused alike when the hold expires."""
    either_side_of_going_missing(store, "inbound.risk-disagreement.kent", kent_disagrees)
    holds_expire(store, REPORTED + timedelta(hours=1))
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


def test_issue_14_a_strangers_answer_tells_it_nothing_of_whether_the_child_is_missing(
    store: Store,
) -> None:
    """Essex is no party to the child's episode. On the code as shipped its answer about
    the episode is refused at once ('data.answered_by: is not the agency the duty was
    owed to'), and one about an episode the hub never had is held for a day: trying child
    and episode ids, Essex learns which children are missing. Both are held now, and
    refused alike when the hold expires."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    at_once, expired = sent_about_each_episode(
        store, "inbound.duty-acknowledged.essex", essex_acknowledges, REPORTED + timedelta(hours=1)
    )
    assert (at_once, len(expired), expired[0]) == ([], 2, expired[1])


def test_issue_14_a_party_is_still_told_at_once_what_is_wrong_with_its_answer(
    store: Store,
) -> None:
    """Luton, the host authority the child's MISPER report names, knows of the episode: its
    answer to a duty owed to another agency is refused at once, as before."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    document = essex_acknowledges(EPISODE, "luton-1")
    document["source"] = "/la/luton/case-system"
    cast(dict[str, object], document["data"]).update(answered_by="luton")
    record = record_of(document, "inbound.duty-acknowledged.luton")
    apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(hours=1))
    assert refusals_told(store, "luton") == [
        (
            "protocol_violation",
            [
                {
                    "field": "data.answered_by",
                    "reason": "is not the agency the duty was owed to",
                }
            ],
        )
    ]


def test_issue_14_a_partys_answer_read_before_the_misper_report_is_applied_when_it_comes(
    store: Store,
) -> None:
    """After an outage Bedfordshire Police's acknowledgement of the child missing in its area
    (8.3) is read before the MISPER report: held, as no party is known yet, then applied."""
    document = example("09-duty-acknowledged")
    document["source"] = "/police/bedfordshire/compact"
    document["data"].update(
        notification_id="6fbba997-a714-5192-a36e-63deea9a6581",  # the example report's duty
        answered_by="bedfordshire-police",
        acknowledged_by="Bedfordshire missing persons unit",
    )
    record = record_of(document, "inbound.duty-acknowledged.bedfordshire-police")
    held = apply_batch(store, [record], DIRECTORY, REPORTED - timedelta(minutes=1))
    released = apply_batch(store, [misper_record()], DIRECTORY, REPORTED + timedelta(minutes=5))
    assert (held.held, released.applied, refusals_told(store, "bedfordshire-police")) == (1, 2, [])


def kent_disagrees_about(episode_id: str, event_id: str) -> dict[str, object]:
    document = kent_disagrees(MISSING_SINCE + timedelta(hours=1), event_id)
    cast(dict[str, object], document["data"]).update(episode_id=episode_id)
    return document


def test_6_7_a_disagreement_from_an_authority_with_no_standing_is_held_as_if_unknown(
    store: Store,
) -> None:
    """Kent has no standing for the child. On the code as shipped its disagreement about
    the child's episode is refused at once ('the sender is neither the home authority nor
    the placing or host authority the child's MISPER report names'), and one about an
    episode the hub never had is held: Kent learns the child is missing. Both are held now,
    and refused alike when the hold expires."""
    at_once, expired = about_the_childs_episode_and_another(
        store, "inbound.risk-disagreement.kent", kent_disagrees_about
    )
    assert (at_once, len(expired), expired[0]) == ([], 2, expired[1])


def kent_police_regrade(episode_id: str, event_id: str) -> dict[str, object]:
    """Kent Police: neither the force the child was reported to (Bedfordshire Police) nor
    its host's (Luton's: Bedfordshire Police), and owed nothing in the episode, on its own
    topic, naming itself as it must."""
    document = example("03-risk-update")
    document["id"] = event_id
    document["source"] = "/police/kent-police/niche"
    cast(dict[str, object], document["data"]).update(episode_id=episode_id)
    return document


def test_3_19_a_risk_update_from_a_force_no_party_to_the_episode_is_held_as_if_unknown(
    store: Store,
) -> None:
    """3.19: the police investigating the child's absence re-grade its risk. Kent Police
    are not them. On the code as shipped Kent's re-grading of the child's episode was
    applied at once (high risk, a CSE marker: meetings convened on Kent's word alone) and
    one about an episode the hub never had was held: Kent could set any child's grading,
    and learnt which episodes exist. Both are held now, and refused alike when the hold
    expires."""
    at_once, expired = about_the_childs_episode_and_another(
        store, "inbound.risk-update.kent-police", kent_police_regrade
    )
    assert (at_once, len(expired), expired[0]) == ([], 2, expired[1])


def test_3_19_the_force_the_child_was_reported_to_still_regrades_the_risk(store: Store) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    update = record_of(example("03-risk-update"), "inbound.risk-update.bedfordshire-police")
    result = apply_batch(store, [update], DIRECTORY, REPORTED + timedelta(hours=1))
    assert (result.applied, refusals_told(store, "bedfordshire-police")) == (1, [])


def kent_police_disagree_about(episode_id: str, event_id: str) -> dict[str, object]:
    """Kent Police, no party to the episode (as for `kent_police_regrade`), raising a
    disagreement about the child's risk on its own topic, naming itself as it must."""
    document = kent_disagrees_about(episode_id, event_id)
    document["source"] = "/police/kent-police/niche"
    cast(dict[str, object], document["data"]).update(raised_by="police")
    return document


def test_6_7_a_disagreement_from_a_force_no_party_to_the_episode_is_held_as_if_unknown(
    store: Store,
) -> None:
    """6.7: a disagreement "between the Police and other professionals" working with the
    child. Kent Police are not the child's police. On the code as shipped their disagreement
    about the child's episode was taken at once (a 12-hour escalation to managers on Kent's
    word alone) and one about an episode the hub never had was held: Kent learnt which
    episodes exist, and, dating it either side, when the child went missing. Both are held
    now, and refused alike when the hold expires."""
    at_once, expired = about_the_childs_episode_and_another(
        store, "inbound.risk-disagreement.kent-police", kent_police_disagree_about
    )
    assert (at_once, len(expired), expired[0]) == ([], 2, expired[1])


def test_6_7_the_force_the_child_was_reported_to_still_raises_a_disagreement(
    store: Store,
) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    document = kent_police_disagree_about(EPISODE, "bedfordshire-1")
    document["source"] = "/police/bedfordshire/compact"
    record = record_of(document, "inbound.risk-disagreement.bedfordshire-police")
    result = apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(hours=1))
    assert (result.applied, refusals_told(store, "bedfordshire-police")) == (1, [])


def retired(store: Store) -> datetime:
    """The child missing, found, and its episode retired 181 days later (docs/retention.md):
    when the episode was retired."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    found = record_of(example("05-found-report"), "inbound.found-report")
    apply_batch(store, [found], DIRECTORY, FOUND)
    at = FOUND + timedelta(days=181)
    assert apply_retention(store, RetentionSettings(), at, "test").counts()["episodes_retired"]
    return at


def test_a_stranger_is_not_told_that_an_episode_was_retired(store: Store) -> None:
    """On the code as shipped Essex's answer about the child's retired episode is refused at
    once, 'this episode's records were retired under the retention policy': Essex learns the
    child was once missing. It is held now, and refused when the hold expires as an answer
    about an episode the hub never had is."""
    at = retired(store) + timedelta(days=1)
    at_once, expired = sent_about_each_episode(
        store, "inbound.duty-acknowledged.essex", essex_acknowledges, at
    )
    assert (at_once, len(expired), expired[0]) == ([], 2, expired[1])


def test_the_home_authority_is_still_told_at_once_that_an_episode_was_retired(
    store: Store,
) -> None:
    """The home authority is a party to every episode of the hub: nothing is kept from it."""
    at = retired(store) + timedelta(days=1)
    answer = example("09-duty-acknowledged")
    record = record_of(answer, "inbound.duty-acknowledged.northamptonshire")
    apply_batch(store, [record], DIRECTORY, at)
    [(kind, [problem])] = refusals_told(store, "northamptonshire")
    assert (kind, problem["field"]) == ("protocol_violation", "data.episode_id")
    assert "retired under the retention policy" in problem["reason"]


def kents_notice(kind: str) -> Callable[[str, str], dict[str, object]]:
    """Kent, which the child's MISPER report names neither as its host nor as its placing
    authority, on its own topic: a host authority's notice of `kind` about the child (8.4,
    8.10)."""

    def document(episode_id: str, event_id: str) -> dict[str, object]:
        notice = example("08-cross-border-notice")
        notice["id"] = event_id
        notice["source"] = "/la/kent/childrens-services"
        notice["data"] = {
            "notice_id": f"KENT-{event_id}",
            "kind": kind,
            "child_id": "CF-100231",
            "episode_id": episode_id,
            "from_authority": "kent",
            "to_authority": "northamptonshire",
            "occurred_at": (REPORTED + timedelta(minutes=30)).isoformat(),
        }
        return notice

    return document


def test_8_4_a_strangers_missing_notice_tells_it_nothing_of_whether_the_child_is_missing(
    store: Store,
) -> None:
    """On the code as shipped Kent's notice that the child is missing in its area is refused
    at once when the child has an episode ('data.from_authority: is neither the host
    authority nor the placing authority the child's MISPER report names'), and taken when
    the hub never had the episode (a host's notice may come before the MISPER report): Kent
    learns the child is missing. Now Kent is told nothing in either case."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    at_once, expired = sent_about_each_episode(
        store,
        "inbound.cross-border-notice.kent",
        kents_notice("child_missing"),
        REPORTED + timedelta(hours=1),
    )
    assert (at_once, expired) == ([], [])


def test_8_4_a_strangers_found_notice_tells_it_nothing_and_ends_no_search(store: Store) -> None:
    """Kent says the child has returned: it is told nothing, as for an episode the hub never
    had, and the child is still searched for (the return interview is not owed from Kent's
    word). The MCT is told to check Kent's notice with it (7.2, 8.4)."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    found = kents_notice("child_found")(EPISODE, "kent-1")
    notice = record_of(found, "inbound.cross-border-notice.kent")
    result = apply_batch(store, [notice], DIRECTORY, REPORTED + timedelta(hours=1))
    with store() as session:
        told = session.scalars(select(OutboxMessage.value)).all()
    actions = [json.loads(value).get("action") for value in told]
    assert (result.applied, refusals_told(store, "kent")) == (1, [])
    assert "check_cross_border_notice" in actions
    assert "child_found_in_host_area" not in actions
    with store() as session:
        chased = session.scalars(
            select(TimerRecord.name).where(TimerRecord.status == "pending")
        ).all()
    assert "return_interview_overdue" not in chased


def test_8_4_a_strangers_notice_is_not_told_that_an_episode_was_retired(store: Store) -> None:
    """On the code as shipped Kent's notice about the child's retired episode is refused at
    once, 'this episode's records were retired under the retention policy': Kent learns the
    child was once missing. It is told nothing now, as for an episode the hub never had."""
    at = retired(store) + timedelta(days=1)

    def notice(episode_id: str, event_id: str) -> dict[str, object]:
        document = kents_notice("child_missing")(episode_id, event_id)
        cast(dict[str, object], document["data"]).update(occurred_at=at.isoformat())
        return document

    at_once, expired = sent_about_each_episode(
        store, "inbound.cross-border-notice.kent", notice, at
    )
    assert (at_once, expired) == ([], [])


def test_8_10_a_strangers_acceptance_of_the_interview_is_held_as_about_no_episode(
    store: Store,
) -> None:
    """On the code as shipped Kent saying it will conduct the return interview as placing
    authority is refused at once about the child's episode ('is not the authority that
    placed this child here') and held about one the hub never had: Kent learns the child is
    missing. Both are held now, and refused alike when the hold expires."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    at_once, expired = sent_about_each_episode(
        store,
        "inbound.cross-border-notice.kent",
        kents_notice("return_interview_accepted"),
        REPORTED + timedelta(hours=1),
    )
    assert (at_once, len(expired), expired[0]) == ([], 2, expired[1])


def test_8_10_the_placing_authoritys_acceptance_read_before_the_misper_report_is_applied(
    store: Store,
) -> None:
    """After an outage Kent's word that it will conduct the return interview of the child it
    placed here is read before the MISPER report naming it responsible, and the found
    report: held, as no party is known yet, then applied once the child is found, and Kent
    is told nothing (8.10)."""
    acceptance = record_of(
        kents_notice("return_interview_accepted")(EPISODE, "kent-accepts"),
        "inbound.cross-border-notice.kent",
    )
    held = apply_batch(store, [acceptance], DIRECTORY, REPORTED - timedelta(minutes=1))
    placed = misper_record(data={"responsible_authority": "kent", "residence_authority": None})
    apply_batch(store, [placed], DIRECTORY, REPORTED)
    found = record_of(example("05-found-report"), "inbound.found-report")
    released = apply_batch(store, [found], DIRECTORY, FOUND)
    assert (held.held, released.applied, refusals_told(store, "kent")) == (1, 2, [])


# A party is a party however the MISPER report names it: by a GSS code or an authority's
# full name as case systems write them (docs/directory.md), not only by the directory's
# code. Held as a stranger's, its answer would be refused a day later and the duty
# escalated; its found notice would end no search; its return interview would be lost.


def test_8_3_the_host_force_of_a_host_named_by_its_gss_code_is_a_party(store: Store) -> None:
    """The report names Luton by its GSS code: Bedfordshire Police, told the child is
    missing in its area (3.9, 8.3), acknowledges at once and is applied at once."""
    changes = {"residence_authority": "E06000032"}
    apply_batch(store, [misper_record(data=changes)], DIRECTORY, REPORTED)
    document = example("09-duty-acknowledged")
    document["source"] = "/police/bedfordshire/compact"
    document["data"].update(
        notification_id="6fbba997-a714-5192-a36e-63deea9a6581",  # the example report's duty
        answered_by="bedfordshire-police",
        acknowledged_by="Bedfordshire missing persons unit",
    )
    record = record_of(document, "inbound.duty-acknowledged.bedfordshire-police")
    result = apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(minutes=5))
    assert (result.applied, result.held, refusals_told(store, "bedfordshire-police")) == (1, 0, [])


def test_7_24_the_reporting_force_named_by_its_name_may_close_the_episode(store: Store) -> None:
    """Bedfordshire Police reported the child missing (naming itself by name) and closes
    the episode with the Assistant Director (7.24): applied, not held as a stranger's."""
    changes = {"reporting_force": "Bedfordshire Police"}
    apply_batch(store, [misper_record(data=changes)], DIRECTORY, REPORTED)
    document = example("12-episode-closed")
    document["source"] = "/police/bedfordshire/compact"
    document["data"].update(
        episode_id=EPISODE,
        child_id="CF-100231",
        answered_by="bedfordshire-police",
        closed_at=(REPORTED + timedelta(hours=2)).isoformat(),
    )
    record = record_of(document, "inbound.episode-closed.bedfordshire-police")
    result = apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(hours=2))
    assert (result.applied, result.held, refusals_told(store, "bedfordshire-police")) == (1, 0, [])


def test_8_4_a_host_named_by_its_gss_code_ends_the_search_with_its_found_notice(
    store: Store,
) -> None:
    """Luton, the child's host as the report names it by GSS code, says the child has
    returned (8.4): the MCT is not asked to check Luton's notice, and the return interview
    is chased from it (5.12)."""
    changes = {"residence_authority": "E06000032"}
    apply_batch(store, [misper_record(data=changes)], DIRECTORY, REPORTED)
    found = kents_notice("child_found")(EPISODE, "luton-1")
    found["source"] = "/la/luton/childrens-services"
    cast(dict[str, object], found["data"]).update(from_authority="Luton Borough Council")
    notice = record_of(found, "inbound.cross-border-notice.luton")
    result = apply_batch(store, [notice], DIRECTORY, REPORTED + timedelta(hours=1))
    with store() as session:
        told = session.scalars(select(OutboxMessage.value)).all()
        chased = session.scalars(
            select(TimerRecord.name).where(TimerRecord.status == "pending")
        ).all()
    actions = [json.loads(value).get("action") for value in told]
    assert (result.applied, refusals_told(store, "luton")) == (1, [])
    assert "check_cross_border_notice" not in actions
    assert "return_interview_overdue" in chased


def test_8_10_a_placing_authority_named_by_its_gss_code_is_a_party(store: Store) -> None:
    """The report names Kent, which placed the child here, by its GSS code: Kent's word that
    it will conduct the return interview, and its result, are applied at once (8.10, 5.12)."""
    placed = misper_record(data={"responsible_authority": "E10000016", "residence_authority": None})
    apply_batch(store, [placed], DIRECTORY, REPORTED)
    found = record_of(example("05-found-report"), "inbound.found-report")
    apply_batch(store, [found], DIRECTORY, FOUND)
    accepts = kents_notice("return_interview_accepted")(EPISODE, "kent-accepts")
    cast(dict[str, object], accepts["data"]).update(from_authority="Kent County Council")
    interview = example("07-return-interview")
    interview["source"] = "/la/kent/childrens-services"
    interview["data"].update(interviewer="placing_authority")
    records = [
        record_of(accepts, "inbound.cross-border-notice.kent"),
        record_of(interview, "inbound.return-interview.kent"),
    ]
    result = apply_batch(store, records, DIRECTORY, FOUND + timedelta(hours=1))
    assert (result.applied, result.held, refusals_told(store, "kent")) == (2, 0, [])


def test_8_9_a_placing_authority_known_from_its_placement_notice_is_a_party(
    store: Store,
) -> None:
    """The report names no placing authority; Kent's placement notice (8.9), read after it,
    says Kent placed the child here. Kent acknowledges the MCT's notice of the missing
    episode at once, and its return interview as placing authority is applied (8.10)."""
    unnamed = {"responsible_authority": None, "residence_authority": None}
    apply_batch(store, [misper_record(data=unnamed)], DIRECTORY, REPORTED)
    placement = kents_notice("placement_notified")("", "kent-placed")
    data = cast(dict[str, object], placement["data"])
    data.pop("episode_id")
    data["placed_child"] = {
        "name": "Jordan Example",
        "date_of_birth": "2011-03-14",
        "sex": "male",
        "placement_started_at": "2026-11-01T15:00:00Z",
        "planned_placement": True,
        "placing_social_worker": "Alex Kent-SW",
    }
    notice = record_of(placement, "inbound.cross-border-notice.kent")
    apply_batch(store, [notice], DIRECTORY, REPORTED + timedelta(minutes=30))
    with store() as session:
        told = [
            json.loads(value)
            for value in session.scalars(
                select(OutboxMessage.value).where(OutboxMessage.topic.like("notify.kent.%"))
            ).all()
        ]
    [duty] = [n for n in told if n.get("action") == "child_missing_from_placement"]
    answer = example("09-duty-acknowledged")
    answer["source"] = "/la/kent/childrens-services"
    answer["data"].update(
        notification_id=duty["notification_id"],
        answered_by="kent",
        acknowledged_at=(REPORTED + timedelta(hours=1)).isoformat(),
    )
    acked = apply_batch(
        store,
        [record_of(answer, "inbound.duty-acknowledged.kent")],
        DIRECTORY,
        REPORTED + timedelta(hours=1),
    )
    found = record_of(example("05-found-report"), "inbound.found-report")
    apply_batch(store, [found], DIRECTORY, FOUND)
    interview = example("07-return-interview")
    interview["source"] = "/la/kent/childrens-services"
    interview["data"].update(interviewer="placing_authority")
    record = record_of(interview, "inbound.return-interview.kent")
    result = apply_batch(store, [record], DIRECTORY, FOUND + timedelta(hours=1))
    assert (acked.applied, result.applied, refusals_told(store, "kent")) == (1, 1, [])


def test_7_14_a_council_that_took_over_from_surrey_is_a_party_to_its_placement_notice(
    store: Store,
) -> None:
    """7.14: our child placed in Surrey before its councils vest, Surrey told (Formal
    Notification Process) with no MISPER report yet; East Surrey, which took the child's
    placement over on 1 April 2027 (`surrey` then an alias of both councils), acknowledges
    it. It was held as a stranger's answer (owed to `surrey`, not to it) and refused once
    the hold expired: the duty escalated to our Head of Safeguarding as ignored (8.12)."""
    notice = example("08-cross-border-notice")
    notice["source"] = "/la/northamptonshire/childrens-services"
    notice["data"].update(from_authority="northamptonshire", to_authority="surrey")
    apply_batch(store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, REPORTED)
    with store() as session:
        [told] = [
            json.loads(value)
            for value in session.scalars(
                select(OutboxMessage.value).where(OutboxMessage.topic.like("notify.surrey.%"))
            ).all()
        ]
    answer = example("09-duty-acknowledged")
    answer["source"] = "/la/east-surrey/case-system"
    answer["data"].update(
        episode_id=told["episode_id"],
        child_id=told["child_id"],
        notification_id=told["notification_id"],
        answered_by="east-surrey",
        acknowledged_at=(REPORTED + timedelta(hours=1)).isoformat(),
    )
    record = record_of(answer, "inbound.duty-acknowledged.east-surrey")
    result = apply_batch(store, [record], VESTED, REPORTED + timedelta(hours=1))
    assert (result.applied, result.held, refusals_told(store, "east-surrey")) == (1, 0, [])
