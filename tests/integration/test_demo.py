"""The README's main command: the real hub over the two demo scenarios, and what each agency
received, read back from the recipients' topics."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hub.devtools.demo import run_demo
from hub.kafka.connection import KafkaConnection


def test_the_demo_shows_each_agency_what_it_received_and_why(
    kafka: KafkaConnection, tmp_path: Path
) -> None:
    lines = asyncio.run(run_demo(kafka, f"sqlite:///{tmp_path / 'demo.db'}"))
    output = "\n".join(lines)
    assert "applied 65 events, 0 not applied" in output  # 11 reports, 54 answers (issue 14)
    assert "outbox backlog 0" in output
    # The looked-after child placed in Luton, reported missing on a Friday evening:
    assert "== notify.luton.host_authority" in output  # 8.3
    assert "== notify.northamptonshire.edt" in output  # 3.10, out of hours
    assert "high_risk_child_missing" in output  # 1.4, risk raised to high
    assert "conduct_return_interview" in output  # found on day 4
    # The second child, missing for the third time in a month:
    assert "review_repeat_missing_case" in output  # 7.18
    assert "add_to_cse_and_missing_forum" in output  # 7.28
    # Duties answered are not escalated; the two left unanswered are (issue 14): the head of
    # safeguarding's 6.8 notice to the Assistant Director, due on a Saturday and escalated
    # when the day teams open on Monday (3.10), and the third episode's 7.22 duty to inform
    # the Service Manager, due at night and escalated to the team manager at 09:00. (The
    # forms of a child missing at night, not picked up within their window, go to EDT: 3.10.)
    director = lines[lines.index("== notify.northamptonshire.assistant_director  (1 received)") :]
    assert "2026-11-23 09:00" in director[1]
    assert "'notify_assistant_director_child_in_care_missing_over_24_hours'" in director[3]
    managers = lines[lines.index("== notify.northamptonshire.team_manager  (5 received)") :]
    assert "2026-11-27 09:00" in "\n".join(managers[:30])
    assert "'inform_service_manager' owed to allocated_worker (7.22)" in "\n".join(managers[:30])
    assert "'conduct_return_interview'" not in output.split("duty_escalated", 1)[-1]
    # What each was told of the child, by name of particular (3.9: the host force can
    # identify the child and call us), while the demo prints no child's details:
    luton = lines[lines.index("== notify.bedfordshire-police.host_police  (3 received)") :]
    assert "told of the child: cse_risk, date_of_birth" in luton[4]
    assert "placing_authority_contact" in luton[4]
    assert "Jordan Example" not in output
    assert "Riley Example" not in output
