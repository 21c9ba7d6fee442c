"""A child reported missing (3.3-3.10, 4.1, 4.3, 6.6, 6.14, 7.2-7.6, 7.15, 7.22)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.contracts.vocabulary import LegalStatus, RiskLevel
from tests.routing.builders import START, Timeline, misper, told


def test_6_14_and_7_2_mash_and_mct_are_always_told() -> None:
    decisions = Timeline().receive(misper())
    assert told(decisions, "mash", "record_missing_episode")[0].paragraph == "6.14"
    assert told(decisions, "mct", "missing_child_notified")[0].paragraph == "7.2"


def test_7_3_the_allocated_worker_of_a_known_child_is_told() -> None:
    assert told(Timeline().receive(misper()), "allocated_worker", "missing_child_notified")


def test_7_6_a_child_not_known_is_screened_by_mash_and_recorded_by_mct() -> None:
    decisions = Timeline().receive(
        misper(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None)
    )
    assert told(decisions, "mct", "create_record_and_screen")
    assert told(decisions, "mash", "screen_child_not_known")
    assert not told(decisions, "allocated_worker")


def test_3_3_forms_on_the_first_episode_by_the_allocated_worker_3_4() -> None:
    [forms] = told(
        Timeline().receive(misper()), "allocated_worker", "complete_incident_and_location_forms"
    )
    assert forms.paragraph == "3.3"


def test_3_3_no_forms_to_complete_on_a_later_episode_only_part_two_reviewed_3_6() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(misper("EP-2", at=START + timedelta(days=40)))
    third = timeline.receive(misper("EP-3", at=START + timedelta(days=200)))
    forms = told(third, "allocated_worker", "complete_incident_and_location_forms")
    assert [d.paragraph for d in forms] == ["3.6"]


def test_7_15_the_iro_of_a_looked_after_child_is_told() -> None:
    decisions = Timeline().receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    assert told(decisions, "iro", "missing_child_notified")[0].paragraph == "7.15"


def test_7_15_the_child_protection_chair_is_told_where_there_is_a_plan() -> None:
    decisions = Timeline().receive(misper(legal_status=LegalStatus.CHILD_PROTECTION_PLAN))
    assert told(decisions, "cp_chair")


def test_3_10_edt_is_told_out_of_hours_on_a_weekday_evening() -> None:
    evening = datetime(2026, 11, 18, 17, 45, tzinfo=UTC)
    assert told(Timeline().receive(misper(at=evening)), "edt")


def test_3_10_edt_is_not_told_in_office_hours() -> None:
    assert not told(Timeline().receive(misper()), "edt")


def test_3_10_edt_is_told_on_a_bank_holiday_morning() -> None:
    christmas = datetime(2026, 12, 25, 11, 0, tzinfo=UTC)
    assert told(Timeline().receive(misper(at=christmas)), "edt")


def test_3_10_office_hours_are_london_time_in_summer() -> None:
    # 08:30 UTC is 09:30 BST: in office hours.
    summer_morning = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert not told(Timeline().receive(misper(at=summer_morning)), "edt")


def test_6_6_rise_is_told_of_a_cse_risk() -> None:
    assert told(Timeline().receive(misper(cse_risk=True)), "rise")


def test_4_1_leaving_care_is_told_of_a_care_leaver() -> None:
    from datetime import date

    from hub.contracts.events import ChildDetails
    from hub.contracts.vocabulary import Sex

    adult = ChildDetails(name="Young Person", date_of_birth=date(2006, 1, 1), sex=Sex.MALE)
    decisions = Timeline().receive(
        misper(child=adult, legal_status=LegalStatus.CARE_LEAVER, risk_level=RiskLevel.LOW)
    )
    assert told(decisions, "leaving_care")[0].paragraph == "4.1"


def test_4_3_the_home_office_is_told_of_a_missing_uasc() -> None:
    decisions = Timeline().receive(misper(uasc=True, legal_status=LegalStatus.LOOKED_AFTER))
    [home_office] = told(decisions, "home_office")
    assert home_office.authority == "home-office"


def test_1_4_a_high_risk_child_is_notified_to_childrens_services_immediately() -> None:
    [mash] = told(
        Timeline().receive(misper(risk_level=RiskLevel.HIGH)), "mash", "record_missing_episode"
    )
    assert mash.due == mash.at


def test_1_4_mash_is_told_in_words_that_a_child_reported_missing_is_high_risk() -> None:
    """1.4: "Children's services must also be notified immediately": MASH, reading a queue of
    MISPER notifications, is told which one is the high-risk alert, as when the grading is
    raised to high later (risk.py), not only by a deadline and a field of the particulars."""
    [mash] = told(
        Timeline().receive(misper(risk_level=RiskLevel.HIGH)), "mash", "record_missing_episode"
    )
    assert "high risk" in mash.summary.lower()


def test_7_22_the_social_worker_informs_the_service_manager_within_24_hours() -> None:
    [inform] = told(Timeline().receive(misper()), "allocated_worker", "inform_service_manager")
    assert inform.due == START + timedelta(hours=24)
