"""What each recipient is told of the child (the data policy, hub/data/data-policy.yaml):
enough to do its duty, and no more."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.contracts.actions import Action, Recipient
from hub.contracts.data_policy import DataPolicy, default_policy_document, with_changes
from hub.contracts.vocabulary import CrossBorderNoticeKind, LegalStatus, RiskLevel
from hub.routing.directory import DEFAULT_PATH, DirectoryError, load_directory
from hub.routing.facts import Decision
from hub.store.outbox import notification_message
from tests.routing.builders import (
    DIRECTORY,
    PLACED_IN,
    START,
    Timeline,
    found,
    misper,
    risk_update,
    told,
)
from tests.routing.test_cross_border_notices import host_notice, placement

PLACED_IN_LUTON: dict[str, Any] = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "residence_authority": "luton",
}


def received(decision: Decision) -> dict[str, object]:
    """The `child` of the message as it is published."""
    child = json.loads(notification_message(decision).value)["child"]
    assert isinstance(child, dict)
    return child


def test_3_9_host_police_receive_what_they_need_to_look_for_the_child() -> None:
    """3.9: "the Incident Form and Location Form will be shared with the Police force in
    that Authority": a force that has never met the child must know who, where and when
    last seen, how at risk, and whom to call."""
    [search] = told(Timeline().receive(misper(**PLACED_IN_LUTON)), "host_police")
    child = received(search)
    assert child["name"] == "Test Child"
    assert child["date_of_birth"] == "2012-05-01"
    assert child["sex"] == "female"
    assert child["last_seen_place"] == "Home"
    assert child["last_seen_at"] == "2026-11-18T10:00:00Z"
    assert child["risk_level"] == "medium"
    assert child["cse_risk"] is False
    assert child["placing_authority"] == "Northamptonshire Children's Trust"
    assert child["placing_authority_contact"] == (
        "MCT: MCT@northamptonshire.gov.uk; EDT: 0300 126 1000"
    )


def test_8_3_lutons_notice_names_the_placing_authority_and_how_to_reach_it() -> None:
    """8.3: the host authority "need[s] to act in collaboration with colleagues in
    Northamptonshire (the Placing authority)"."""
    [notice] = told(
        Timeline().receive(misper(**PLACED_IN_LUTON)),
        "host_authority",
        "child_missing_in_your_area",
    )
    assert notice.authority == "luton"
    child = received(notice)
    assert child["placing_authority"] == "Northamptonshire Children's Trust"
    assert child["placing_authority_contact"]
    # 8.3: the host acts with us; why the child went missing is for the child's own workers
    assert "circumstances" not in child


def test_7_16_a_host_told_of_a_new_grading_is_sent_nothing_it_was_not_sent_at_missing() -> None:
    """7.16, 3.9, 8.3: the force and the authority where our child is placed hear that its
    grading changed: the grading, and who the child is and whom to call, as at missing;
    nothing the search was not already given (data minimisation)."""
    timeline = Timeline()
    missing = timeline.receive(misper(**PLACED_IN_LUTON))
    regraded = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    for host in ("host_police", "host_authority"):
        [at_missing] = told(missing, host, "child_missing_in_your_area")
        [now] = told(regraded, host, "risk_level_changed")
        assert received(now).keys() <= received(at_missing).keys()
        assert received(now)["risk_level"] == "high"


def test_7_18_a_manager_convening_a_meeting_is_not_sent_the_childs_name() -> None:
    """7.18: the Team Manager convenes the 48-hour meeting: the child is found on the record
    by its id, so the name, date of birth and whereabouts are not sent."""
    timeline = Timeline()
    timeline.receive(misper())
    fired = timeline.advance(START + timedelta(hours=25))
    [meeting] = told(fired, "team_manager", "convene_strategy_meeting")
    child = received(meeting)
    assert not {"name", "date_of_birth", "last_seen_place", "circumstances"} & child.keys()
    assert child["risk_level"] == "medium"


def test_6_14_mash_receives_the_identity_to_open_the_episode_on_the_record() -> None:
    """6.14: the MISPER "will trigger a missing episode on Carefirst"."""
    [record] = told(Timeline().receive(misper()), "mash", "record_missing_episode")
    child = received(record)
    assert (child["name"], child["date_of_birth"], child["sex"]) == (
        "Test Child",
        "2012-05-01",
        "female",
    )
    assert "last_seen_place" not in child
    assert "circumstances" not in child


def test_7_14_the_host_authority_can_record_the_child_we_place_there() -> None:
    """7.14: the Formal Notification Process, so the host can record the child (8.9 is the
    same duty the other way)."""
    notice = placement(to="luton", by="northamptonshire")
    [formal] = told(Timeline().receive(notice), "host_authority", "formal_placement_notification")
    child = received(formal)
    assert child["name"] == "Placed Child"
    assert child["placement_started_at"] == "2026-11-02T15:00:00Z"
    assert child["placing_social_worker"] == "E SW"
    assert child["placing_authority"] == "Northamptonshire Children's Trust"


def test_mct_pg_the_mct_told_the_child_is_found_is_told_when() -> None:
    """MCT practice guidance: the police "refer them to the MCT who will create the
    missing/found episode on Care First", and the MCT interviews "within 72 hours of the child
    or young person being found" (5.12): the found episode needs when the child was found."""
    timeline = Timeline()
    timeline.receive(misper())
    back = timeline.receive(found(at=START + timedelta(days=2)))
    for action in ("child_found", "conduct_return_interview"):
        [told_mct] = told(back, "mct", action)
        assert received(told_mct)["found_at"] == "2026-11-20T10:00:00Z", action


def test_8_10_a_placing_authority_to_interview_the_returned_child_is_told_when_it_returned() -> (
    None
):
    """8.10: "When the child returns to their placement MCT contact will notify the Placing
    Authority and advise that it is their responsibility to undertake the Independent Return
    Interview", within 72 hours of the child returning (5.12). Owning the interview, it is
    sent no `child_found`: this notice is its only word of the return."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))  # type: ignore[arg-type]
    back = timeline.receive(found(at=START + timedelta(days=2)))
    assert told(back, "placing_authority", "child_found") == []
    [interview] = told(back, "placing_authority", "conduct_return_interview")
    assert interview.authority == "essex"
    child = received(interview)
    assert child["found_at"] == "2026-11-20T10:00:00Z"
    assert child["name"] == "Test Child"
    assert child["host_authority_contact"]


def test_7_28_rise_putting_a_child_to_the_forum_is_not_sent_where_the_episode_began() -> None:
    """7.28: a child repeatedly missing "should be discussed at the monthly CSE and Missing
    Persons Forum": RISE needs which child and how at risk, and the count (in `details`);
    where and when this episode began is for those searching (6.6), not for the forum."""
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=10), cse_risk=True)
    [forum] = told(timeline.decisions, "rise", "add_to_cse_and_missing_forum")
    child = received(forum)
    assert child["name"] == "Test Child"
    assert child["cse_risk"] is True
    assert not {"last_seen_place", "last_seen_at", "missing_since"} & child.keys()
    # 6.6: a child at risk of CSE, still missing, is RISE's to work with where last seen
    at_risk = told(timeline.decisions, "rise", "missing_child_at_risk_of_cse")[-1]
    assert received(at_risk)["last_seen_place"] == "Home"


def test_the_chase_of_a_placing_authority_is_not_said_to_be_8_10s() -> None:
    """8.10 gives the contact with the placing authority to the MCT; the Service Manager (CSE
    and Missing) chasing an unconfirmed interview is the hub's reading, not the text's, and
    the policy's reason for what that manager is sent must not say otherwise."""
    policy = DIRECTORY.data_policy.recipients[Recipient.CSE_MISSING_SERVICE_MANAGER]
    why = " ".join(policy.actions.get(Action.CHASE_PLACING_AUTHORITY, policy.default).why.split())
    assert "not in the text" in why
    assert not why.startswith("8.10")


def test_7_14_a_worker_told_to_talk_to_the_host_authority_is_told_which() -> None:
    """7.14: "If the child has a history of going missing the social worker should also talk
    to the Host authority's safeguarding service about the child": the notice names it (its
    `details` name us, who sent the placement)."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(found())
    placed = timeline.receive(placement(to="luton", by="northamptonshire"))
    [talk] = told(placed, "allocated_worker", "talk_to_host_safeguarding")
    child = received(talk)
    assert child["host_authority"] == "Luton"
    assert child["name"] == "Placed Child"


@pytest.mark.parametrize(("hours", "on_duty"), [(2, "mash"), (10, "edt")])
def test_5_6_those_deciding_before_the_child_is_returned_are_told_where_and_when_found(
    hours: int, on_duty: str
) -> None:
    """5.6: concerns about the child's safety at home or in placement go to "the MASH or the
    out-of-hours Emergency Duty Team (EDT) before the child is returned": to decide before
    the child goes back, they must know where the child is now, and since when."""
    timeline = Timeline()
    timeline.receive(misper())
    found_at = START + timedelta(hours=hours)
    back = timeline.receive(found(at=found_at, concerns_about_returning_home=True))
    [concerns] = told(back, on_duty, "concerns_about_return")
    child = received(concerns)
    assert (child["found_where"], child["found_at"]) == (
        "Park",
        found_at.isoformat().replace("+00:00", "Z"),
    )


def test_a_withheld_particular_is_absent_and_an_unknown_one_is_null() -> None:
    """What the policy withholds is not in the message; what it allows but the hub does not
    know (the placement's start, from a MISPER report) is there, as null."""
    [forms] = told(Timeline().receive(misper()), "allocated_worker", "inform_team_manager")
    assert received(forms) == {}
    [mct_forms] = told(
        Timeline().receive(misper(allocated_worker=None, legal_status=LegalStatus.EARLY_HELP)),
        "mct",
        "complete_incident_and_location_forms",
    )
    child = received(mct_forms)
    assert "placement_started_at" in child
    assert child["placement_started_at"] is None


def test_the_childs_particulars_leave_the_notification_id_alone() -> None:
    """A policy changed between a crash and its replay must not make a duty new: the id is
    fixed by the cause, the rule, the recipient and the duty's facts."""
    nothing = {"fields": [], "why": "Nothing at all."}
    changes = {"recipients": {"mct": {"actions": {"missing_child_notified": nothing}}}}
    policy = DataPolicy.model_validate(with_changes(default_policy_document(), changes))
    narrower = DIRECTORY.model_copy(update={"data_policy": policy})
    first = Timeline().receive(misper(risk_level=RiskLevel.HIGH))
    second = Timeline(narrower).receive(misper(risk_level=RiskLevel.HIGH))
    assert [d.child for d in first] != [d.child for d in second]
    assert [d.notification_id for d in first] == [d.notification_id for d in second]


def _deployment(tmp_path: Path, policy: object) -> Path:
    document = yaml.safe_load(DEFAULT_PATH.read_text())
    document["data_policy"] = policy
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_deployment_may_change_what_a_recipient_receives(tmp_path: Path) -> None:
    changes = {
        "recipients": {
            "mct": {"default": {"fields": ["identity"], "why": "Our MCT looks up the rest."}}
        }
    }
    directory = load_directory(_deployment(tmp_path, changes))
    assert directory.data_policy.disclosed("mct", "child_found") == ("name", "date_of_birth", "sex")
    # its other entries, and every other recipient's, stay the default's
    assert directory.data_policy.disclosed(
        "mct", "missing_child_notified"
    ) == DIRECTORY.data_policy.disclosed("mct", "missing_child_notified")
    assert directory.data_policy.disclosed("iro", "child_found") == (
        DIRECTORY.data_policy.disclosed("iro", "child_found")
    )


def test_3_9_a_set_a_deployment_names_for_its_own_team_widens_no_other_recipient(
    tmp_path: Path,
) -> None:
    """A deployment gives its own MCT the circumstances with the episode, by naming a set of
    its own `episode`. 3.9, 8.3: the host force and host authority searching for our child
    placed in their area are sent what the default gives them, not the circumstances: a
    deployment's change is to its own entries, and everything else is kept."""
    changes = {
        "sets": {
            "episode": [
                "missing_since",
                "last_seen_place",
                "last_seen_at",
                "risk_level",
                "cse_risk",
                "circumstances",
            ]
        },
        "recipients": {
            "mct": {"default": {"fields": ["identity", "episode"], "why": "Ours, in full."}}
        },
    }
    directory = load_directory(_deployment(tmp_path, changes))
    assert "circumstances" in directory.data_policy.disclosed("mct", "child_found")
    for recipient in ("host_police", "host_authority", "placing_authority", "edt", "rise"):
        for action in ("child_missing_in_your_area", "convene_strategy_meeting"):
            assert directory.data_policy.disclosed(recipient, action) == (
                DIRECTORY.data_policy.disclosed(recipient, action)
            ), (recipient, action)


def test_a_set_named_as_a_particular_is_refused(tmp_path: Path) -> None:
    # `name` standing for the name and the circumstances would send the circumstances to
    # every recipient sent the name (a host force, 3.9; the Home Office, 4.3).
    changes = {"sets": {"name": ["name", "circumstances"]}}
    with pytest.raises(DirectoryError) as refused:
        load_directory(_deployment(tmp_path, changes))
    assert "sets.name: is the name of a particular" in str(refused.value)


def test_a_deployment_cannot_withhold_what_a_host_force_needs(tmp_path: Path) -> None:
    changes = {"recipients": {"host_police": {"default": {"fields": ["name"], "why": "Less."}}}}
    with pytest.raises(DirectoryError) as refused:
        load_directory(_deployment(tmp_path, changes))
    message = str(refused.value)
    assert "data_policy.recipients.host_police.default.fields" in message or (
        "recipients.host_police.default.fields" in message
    )
    assert "withholds date_of_birth" in message
    assert "3.9" in message


@pytest.mark.parametrize(
    ("recipient", "entry", "fields", "withheld"),
    [
        ("police", "default", ["name", "risk_level"], "date_of_birth, sex"),
        ("police", "actions.check_misper_report", ["name", "date_of_birth"], "sex"),
        ("host_authority", "default", ["identity"], "placing_authority, placing_authority_contact"),
        (
            "host_authority",
            "actions.child_found_in_your_area",
            ["identity", "found_at"],
            "placing_authority, placing_authority_contact",
        ),
        ("placing_authority", "default", ["identity"], "host_authority, host_authority_contact"),
        ("home_office", "actions.child_found", ["name", "found_at"], "date_of_birth, sex"),
    ],
)
def test_a_deployment_cannot_withhold_what_a_party_outside_the_authority_needs(
    tmp_path: Path, recipient: str, entry: str, fields: list[str], withheld: str
) -> None:
    """docs/notifications.md: the reporting force, a host authority, a placing authority and
    the Home Office each identify the child on their own record; a host or placing
    authority also reaches the other side. The refusal names the entry's key."""
    disclosure: dict[str, Any] = {"fields": fields, "why": "Less."}
    if entry != "default":
        disclosure = {entry.split(".")[1]: disclosure}
    changes = {"recipients": {recipient: {entry.split(".")[0]: disclosure}}}
    with pytest.raises(DirectoryError) as refused:
        load_directory(_deployment(tmp_path, changes))
    key = f"data_policy.recipients.{recipient}.{entry}.fields"
    assert f"{key}: withholds {withheld}, which the duty needs" in str(refused.value)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        (
            {"recipients": {"mtc": {"default": {"fields": ["name"], "why": "A typo."}}}},
            "data_policy.recipients.mtc",
        ),
        (
            {"recipients": {"mct": {"actions": {"tell_all": {"fields": ["name"], "why": "?"}}}}},
            "data_policy.recipients.mct.actions.tell_all",
        ),
        (
            {"recipients": {"mct": {"default": {"fields": ["name"]}}}},
            "data_policy.recipients.mct.default.why",
        ),
        (
            {"recipients": {"mct": {"default": {"fields": ["name"], "why": " "}}}},
            "data_policy.recipients.mct.default.why",
        ),
    ],
    ids=["unknown recipient", "unknown action", "no reason", "a blank reason"],
)
def test_a_policy_naming_an_unknown_recipient_or_action_or_giving_no_reason_is_refused(
    tmp_path: Path, changes: dict[str, Any], key: str
) -> None:
    """docs/notifications.md: the hub refuses to start on such a policy, naming the key."""
    with pytest.raises(DirectoryError) as refused:
        load_directory(_deployment(tmp_path, changes))
    assert key in str(refused.value)


def test_a_particular_the_hub_does_not_know_is_refused_by_name(tmp_path: Path) -> None:
    changes = {"recipients": {"iro": {"default": {"fields": ["shoe_size"], "why": "?"}}}}
    with pytest.raises(DirectoryError) as refused:
        load_directory(_deployment(tmp_path, changes))
    assert "data_policy.recipients.iro.default.fields" in str(refused.value)
    assert "shoe_size" in str(refused.value) or "Input should be" in str(refused.value)


# docs/notifications.md's table, as the authority's data protection officer reads it: each
# recipient, and each duty the table names apart, with the particulars it says are sent.
_IDENTITY = {"name", "date_of_birth", "sex"}
_RISK = {"risk_level", "cse_risk"}
_EPISODE = {"missing_since", "last_seen_place", "last_seen_at", *_RISK}
_SIDES = {"legal_status", "placing_authority", "host_authority"}
_PLACING = {"placing_authority", "placing_authority_contact"}
_HOST = {"host_authority", "host_authority_contact"}
_MANAGER = {"legal_status", *_RISK}
AS_TOLD: dict[tuple[str, str | None], set[str]] = {
    ("host_police", "child_missing_in_your_area"): {
        *_IDENTITY,
        *_EPISODE,
        "suspected_trafficking",
        *_PLACING,
    },
    ("host_police", None): {*_IDENTITY, *_RISK, "found_at", *_PLACING},
    ("host_police", "attend_without_delay"): {
        *_IDENTITY,
        *_RISK,
        "found_at",
        "found_where",
        *_PLACING,
    },
    ("host_police", "risk_level_changed"): {*_IDENTITY, *_RISK, *_PLACING},
    ("host_police", "episode_closed"): {*_IDENTITY, *_PLACING},
    ("police", None): {*_IDENTITY, *_RISK},
    ("police", "attend_without_delay"): {*_IDENTITY, *_RISK, "found_at", "found_where"},
    ("police", "check_misper_report"): _IDENTITY,
    ("police", "child_found"): {*_IDENTITY, "found_at"},
    ("police", "episode_closed"): _IDENTITY,
    ("police", "check_risk_update"): _IDENTITY,
    ("host_authority", None): {*_IDENTITY, *_EPISODE, *_PLACING},
    ("host_authority", "formal_placement_notification"): {
        *_IDENTITY,
        *_PLACING,
        "placement_started_at",
        "placing_social_worker",
    },
    ("host_authority", "child_found_in_your_area"): {*_IDENTITY, *_PLACING, "found_at"},
    ("host_authority", "risk_level_changed"): {*_IDENTITY, *_RISK, *_PLACING},
    ("host_authority", "episode_closed"): {*_IDENTITY, *_PLACING},
    ("placing_authority", None): {*_IDENTITY, *_RISK, "missing_since", *_HOST},
    ("placing_authority", "child_missing_from_placement"): {
        *_IDENTITY,
        *_EPISODE,
        "circumstances",
        *_HOST,
    },
    ("placing_authority", "child_found"): {*_IDENTITY, "found_at", *_HOST},
    ("placing_authority", "concerns_about_return"): {
        *_IDENTITY,
        *_RISK,
        "found_at",
        "found_where",
        *_HOST,
    },
    ("placing_authority", "conduct_return_interview"): {
        *_IDENTITY,
        *_RISK,
        "missing_since",
        "found_at",
        *_HOST,
    },
    ("placing_authority", "check_return_interview"): {*_IDENTITY, *_HOST},
    ("placing_authority", "episode_closed"): {*_IDENTITY, *_HOST},
    ("mash", None): {*_IDENTITY, "legal_status", *_RISK},
    ("mash", "record_missing_episode"): {
        *_IDENTITY,
        "legal_status",
        *_RISK,
        "missing_since",
        "last_seen_at",
        "uasc",
        "suspected_trafficking",
    },
    ("mash", "complete_missing_risk_assessment"): {
        *_IDENTITY,
        "legal_status",
        *_RISK,
        "mash_rating",
    },
    ("mash", "concerns_about_return"): {
        *_IDENTITY,
        "legal_status",
        *_RISK,
        "found_at",
        "found_where",
    },
    ("edt", None): {*_IDENTITY, *_SIDES, *_EPISODE},
    ("edt", "concerns_about_return"): {*_IDENTITY, *_SIDES, *_EPISODE, "found_at", "found_where"},
    ("mct", None): {*_IDENTITY, *_SIDES, *_EPISODE, "found_at"},
    ("mct", "missing_child_notified"): {
        *_IDENTITY,
        *_SIDES,
        *_EPISODE,
        "circumstances",
        "allocated_worker",
        "worker_team",
        "uasc",
        "suspected_trafficking",
        "reporting_force",
    },
    ("mct", "complete_incident_and_location_forms"): {
        *_IDENTITY,
        *_SIDES,
        "last_seen_place",
        "circumstances",
        "placement_started_at",
        "placing_social_worker",
    },
    ("mct", "record_placement"): {
        *_IDENTITY,
        "placing_authority",
        "placement_started_at",
        "placing_social_worker",
    },
    ("mct", "check_return_interview"): set(),
    ("mct", "episode_closed"): _IDENTITY,
    ("allocated_worker", None): {"name", "date_of_birth", *_RISK},
    ("allocated_worker", "missing_child_notified"): {
        "name",
        "date_of_birth",
        *_EPISODE,
        "circumstances",
        "host_authority",
    },
    ("allocated_worker", "complete_incident_and_location_forms"): {
        *_IDENTITY,
        *_SIDES,
        "last_seen_place",
        "circumstances",
        "placement_started_at",
    },
    ("allocated_worker", "talk_to_host_safeguarding"): {
        "name",
        "date_of_birth",
        *_RISK,
        "host_authority",
    },
    ("allocated_worker", "inform_team_manager"): set(),
    ("allocated_worker", "inform_service_manager"): set(),
    ("allocated_worker", "episode_closed"): _IDENTITY,
    ("iro", None): {"name", "date_of_birth", "legal_status", *_RISK},
    ("iro", "episode_closed"): _IDENTITY,
    ("cp_chair", "episode_closed"): _IDENTITY,
    ("cp_chair", None): {"name", "date_of_birth", "legal_status", *_RISK},
    ("rise", None): {*_IDENTITY, "legal_status", *_EPISODE},
    ("rise", "add_to_cse_and_missing_forum"): {*_IDENTITY, "legal_status", *_RISK},
    ("rise", "episode_closed"): _IDENTITY,
    ("leaving_care", None): {*_IDENTITY, *_EPISODE},
    ("leaving_care", "episode_closed"): _IDENTITY,
    ("leaving_care", "concerns_about_return"): {*_IDENTITY, *_RISK, "found_at", "found_where"},
    ("ats", None): {"name", "date_of_birth", *_RISK},
    ("health", None): {*_IDENTITY, *_RISK},
    ("ooc_engagement_worker", None): {*_IDENTITY, *_SIDES, *_RISK, "found_at"},
    ("ooc_engagement_worker", "check_return_interview"): _IDENTITY,
    **{
        (manager, None): _MANAGER
        for manager in (
            "mash_manager",
            "practice_manager",
            "team_manager",
            "service_manager",
            "rise_mct_service_manager",
            "sqas_service_manager",
            "head_of_safeguarding",
            "assistant_director",
        )
    },
    ("cse_missing_service_manager", None): {*_MANAGER, "placing_authority"},
    ("rise_mct_strategic_manager", None): {*_MANAGER, "placing_authority"},
    ("mash_manager", "check_return_interview"): set(),
    ("team_manager", "check_return_interview"): set(),
    ("home_office", None): {*_IDENTITY, "missing_since"},
    ("home_office", "child_found"): {*_IDENTITY, "missing_since", "found_at"},
    ("home_office", "episode_closed"): _IDENTITY,
}


def test_each_recipient_receives_what_the_data_protection_officer_is_told() -> None:
    """docs/notifications.md tells the authority's data protection officer, recipient by
    recipient, what each is sent of the child: every entry of the default policy is there,
    each as told, and no recipient's duty is sent more."""
    policy = DIRECTORY.data_policy
    entries = {
        (recipient.value, action.value if action is not None else None): set(disclosure.fields)
        for recipient, entry in policy.recipients.items()
        for action, disclosure in ((None, entry.default), *entry.actions.items())
    }
    assert entries == AS_TOLD


def test_every_recipient_has_a_policy_and_every_entry_a_reason() -> None:
    policy = DIRECTORY.data_policy
    entries = [
        disclosure
        for recipient in policy.recipients.values()
        for disclosure in (recipient.default, *recipient.actions.values())
    ]
    assert all(len(d.why) > 20 for d in entries)


def test_8_4_a_host_authoritys_notice_names_us_as_placing_and_it_as_host() -> None:
    """8.4: the host (Kent) notifies the placing authority (us) that our child is missing,
    before any MISPER report reaches the hub: the sides are not swapped."""
    notice = host_notice(CrossBorderNoticeKind.CHILD_MISSING, START)
    [mct] = told(Timeline().receive(notice), "mct", "child_missing_in_host_area")
    assert mct.child["placing_authority"] == "Northamptonshire Children's Trust"
    assert mct.child["host_authority"] == "Kent"


def test_a_misspelt_home_authority_still_tells_the_host_force_whom_to_call() -> None:
    """Routed as ours (a typing error never loses a duty of ours), and told as ours: the
    host force gets our name and contact, not the misspelling and nothing."""
    report = misper(responsible_authority="Northamptonshre", residence_authority="luton")
    [search] = told(Timeline().receive(report), "host_police")
    assert search.child["placing_authority"] == "Northamptonshire Children's Trust"
    assert search.child["placing_authority_contact"]


def test_a_deployment_with_no_contact_for_other_agencies_is_refused(tmp_path: Path) -> None:
    """3.9, 8.3: a host force must be told whom to call; a deployment that cannot say is
    refused at start, naming the setting."""
    document = yaml.safe_load(DEFAULT_PATH.read_text())
    document["contacts"] = {"mash": "0300 126 1000"}
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(DirectoryError, match="contacts: none for"):
        load_directory(path)


def test_a_contact_too_long_for_a_notification_is_refused_at_start(tmp_path: Path) -> None:
    document = yaml.safe_load(DEFAULT_PATH.read_text())
    document["contacts"]["mct"] = "x" * 1200
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(DirectoryError, match="contact_for_other_agencies: the contacts come to"):
        load_directory(path)


def test_5_1_a_host_force_asked_to_attend_is_told_where_the_child_is() -> None:
    """5.1: the child "may have been the victim of a crime whilst they were away": the police
    "attend without delay - to protect the child and/or recover evidence". For our child
    placed in Luton that is Bedfordshire Police, which did not make the found report and
    cannot attend without being told where the child was found."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN_LUTON))
    back = timeline.receive(
        found(found_where="A friend's address in Dunstable", possible_victim_of_crime=True)
    )
    [attend] = told(back, "host_police", "attend_without_delay")
    assert attend.authority == "bedfordshire-police"
    child = received(attend)
    assert child["found_where"] == "A friend's address in Dunstable"
    assert child["found_at"] == "2026-11-20T10:00:00Z"
    assert child["placing_authority_contact"]


def test_5_1_after_the_hosts_word_of_the_return_the_force_attending_is_told_where() -> None:
    """8.4: Luton said first that the child has returned (its notice names no place); the
    police's found report that follows says where, and a possible victim of crime (5.1):
    the force attending is told where the child was found."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN_LUTON))
    timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(hours=5), by="luton")
    )
    back = timeline.receive(
        found(found_where="Luton Airport Parkway", possible_victim_of_crime=True)
    )
    [attend] = told(back, "host_police", "attend_without_delay")
    assert received(attend)["found_where"] == "Luton Airport Parkway"


def test_5_1_the_reporting_force_asked_to_attend_is_told_where_the_child_is() -> None:
    """5.1: a child living here: the force the child was reported to attends (3.9.1, 5.18: it
    may be another force than the one that found the child)."""
    timeline = Timeline()
    timeline.receive(misper())
    back = timeline.receive(
        found(found_where="Wellingborough bus station", possible_victim_of_crime=True)
    )
    [attend] = told(back, "police", "attend_without_delay")
    assert received(attend)["found_where"] == "Wellingborough bus station"


def test_5_1_where_the_child_was_found_goes_to_those_who_attend_only() -> None:
    """Where the child was found is the child's whereabouts (personal data, as where last
    seen is): the force attending needs it (5.1), and MASH or EDT (the Leaving Care Service
    or placing authority for a care leaver of 18 or over) deciding on concerns before the
    child is returned (5.6); no one else is sent it: not the host
    force's safe and well check and Prevention Interview, held where the child lives
    (MCT practice guidance, 5.12), nor the return interview (5.12, 8.10), nor a manager."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN_LUTON))
    timeline.receive(
        found(
            found_where="A friend's address",
            possible_victim_of_crime=True,
            safe_and_well_check_done=False,
        )
    )
    timeline.advance(START + timedelta(days=10))
    sent = {(d.recipient, d.action) for d in timeline.decisions if "found_where" in received(d)}
    assert sent == {("host_police", "attend_without_delay")}
    # and the policy gives it to no one else either
    policy = DIRECTORY.data_policy
    given = {
        (recipient.value, action)
        for recipient, entry in policy.recipients.items()
        for action, disclosure in [
            ("default", entry.default),
            *((a.value, d) for a, d in entry.actions.items()),
        ]
        if "found_where" in disclosure.fields
    }
    assert given == {
        ("host_police", "attend_without_delay"),
        ("police", "attend_without_delay"),
        # 5.6: to decide before the child is returned (the test above); for a care leaver
        # of 18 or over, whom MASH has no episode of (1.4), the service responsible (4.1)
        ("mash", "concerns_about_return"),
        ("edt", "concerns_about_return"),
        ("leaving_care", "concerns_about_return"),
        ("placing_authority", "concerns_about_return"),
    }


def test_5_1_a_deployment_cannot_withhold_from_a_host_force_where_to_attend(
    tmp_path: Path,
) -> None:
    changes = {
        "recipients": {
            "host_police": {
                "actions": {
                    "attend_without_delay": {
                        "fields": [
                            "identity",
                            "placing_authority",
                            "placing_authority_contact",
                        ],
                        "why": "Less.",
                    }
                }
            }
        }
    }
    with pytest.raises(DirectoryError) as refused:
        load_directory(_deployment(tmp_path, changes))
    message = str(refused.value)
    # the key the deployment wrote, as docs/notifications.md says the error names it
    key = "data_policy.recipients.host_police.actions.attend_without_delay.fields"
    assert f"{key}: withholds found_where" in message
    assert "5.1" in message


def test_8_4_a_host_notice_before_any_misper_report_says_when_the_child_returned() -> None:
    """8.4, 5.12: Kent's notice that our child has returned comes before any MISPER report:
    the MCT holds the return interview, due 72 hours from that return, and is told when it
    was (as the found report would tell it)."""
    back_at = START + timedelta(hours=5)
    [mct] = told(
        Timeline().receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, back_at)),
        "mct",
        "child_found_in_host_area",
    )
    child = received(mct)
    assert child["found_at"] == "2026-11-18T15:00:00Z"
    assert child["missing_since"] is None  # the notice does not say


def test_8_4_the_hosts_word_that_ends_the_search_tells_the_mct_when_the_child_returned() -> None:
    """8.4, 5.12: Kent says our child placed there, still searched for, has returned; the
    hub takes its word as the return and the search ends: the MCT is told when the child
    came back, as a found report would tell it."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    back_at = START + timedelta(hours=9)
    [mct] = told(
        timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, back_at)),
        "mct",
        "child_found_in_host_area",
    )
    assert received(mct)["found_at"] == "2026-11-18T19:00:00Z"


def test_8_4_a_host_notice_before_any_misper_report_says_since_when_missing() -> None:
    """8.4: Kent's notice that our child is missing, before any MISPER report: the MCT,
    passing it to the social worker and IRO, is told since when (the notice's time)."""
    [mct] = told(
        Timeline().receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, START)),
        "mct",
        "child_missing_in_host_area",
    )
    child = received(mct)
    assert child["missing_since"] == "2026-11-18T10:00:00Z"
    assert child["found_at"] is None
