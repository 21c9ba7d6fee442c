"""The Incident Form at every episode, not only the first (3.3, 3.6), and whose a missing
care leaver's duties are (4.1, MCT-PG)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hub.contracts.events import ChildDetails
from hub.contracts.vocabulary import LegalStatus, RiskLevel, Sex
from tests.routing.builders import PLACED_IN, START, Timeline, misper, told


def _care_leaver(born: date, **changes: Any) -> dict[str, Any]:
    return {
        "child": ChildDetails(name="Young Person", date_of_birth=born, sex=Sex.MALE),
        "legal_status": LegalStatus.CARE_LEAVER,
        "risk_level": RiskLevel.MEDIUM,
        **changes,
    }


# 3.6: "Part two of the Incident Form must be reviewed and updated as necessary in the event
# of a missing episode." 3.4: the forms are "completed and updated by the allocated worker"
# (a Missing Co-ordinator for a child not known or placed here).


def test_3_6_the_allocated_worker_reviews_the_incident_form_at_a_later_episode() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    second = timeline.receive(misper("EP-2", at=START + timedelta(days=40)))
    forms = told(second, "allocated_worker", "complete_incident_and_location_forms")
    assert [(d.paragraph, d.due) for d in forms] == [("3.6", START + timedelta(days=40))]


def test_3_6_the_mct_reviews_the_incident_form_of_a_child_placed_here_at_a_later_episode() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1", **PLACED_IN))  # type: ignore[arg-type]
    later = START + timedelta(days=40)
    second = timeline.receive(misper("EP-2", at=later, **PLACED_IN))
    forms = told(second, "mct", "complete_incident_and_location_forms")
    assert [d.paragraph for d in forms] == ["3.6"]


def test_3_3_the_first_episode_still_cites_3_3_only() -> None:
    forms = told(
        Timeline().receive(misper()), "allocated_worker", "complete_incident_and_location_forms"
    )
    assert [d.paragraph for d in forms] == ["3.3"]


# MCT-PG: "You should always inform your Team Manager and Service Manager when a child or
# young person is reported missing." The engine keeps the Team Manager half for a care
# leaver of 18 or over (the docs: a care leaver keeps "the allocated worker ... and the
# rest"), but the Service Manager half lives only in 7.22, which it skips for them.


def test_mct_pg_the_worker_of_a_care_leaver_of_19_informs_the_service_manager_too() -> None:
    decisions = Timeline().receive(misper(**_care_leaver(date(2007, 1, 1))))
    assert told(decisions, "allocated_worker", "inform_team_manager")
    [inform] = told(decisions, "allocated_worker", "inform_service_manager")
    assert inform.paragraph == "MCT-PG"


# 4.1: "Children's Social Care therefore remains responsible for them [care leavers] ... If a
# Care Leaver goes missing, the Northamptonshire Leaving Care Service may need to re-assess";
# 1.4: the placing authority is "responsible for the child's care and Care planning". Another
# authority's care leaver placed here is that authority's to re-assess, not ours.


def test_4_1_a_care_leaver_placed_here_is_reassessed_by_the_placing_authority() -> None:
    report = misper(
        **_care_leaver(date(2009, 1, 1), responsible_authority="essex", allocated_worker=None)
    )
    decisions = Timeline().receive(report)
    assert not told(decisions, "leaving_care")
    [reassess] = told(decisions, "placing_authority", "reassess_care_leaver")
    assert (reassess.paragraph, reassess.authority) == ("4.1", "essex")
