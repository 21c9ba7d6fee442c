"""A child reported missing: the MISPER report opens an episode (3.3-3.10, 4.1, 4.3, 6.6,
6.14, 7.2-7.6, 7.15, 7.22, section 8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hub.contracts.events import MisperReport
from hub.contracts.vocabulary import LegalStatus
from hub.routing.calendar import is_out_of_hours
from hub.routing.context import Context, Placing
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Episode, Outcome, ProtocolViolation
from hub.routing.rules.repeat import on_repeat
from hub.routing.rules.sharing import share_with_partners
from hub.routing.rules.strategy import timers_on_report


def on_misper_report(
    state: ChildState, event: MisperReport, directory: Directory, at: datetime, cause: str
) -> Outcome:
    if state.episode(event.episode_id) is not None:
        raise ProtocolViolation(
            "data.episode_id",
            "this episode has already been reported missing; send a risk update instead",
        )
    episode = Episode(report=event, risk_level=event.risk_level, cse_risk=event.cse_risk)
    ctx = Context(directory, at, cause, episode)
    placing = ctx.placing  # validates the authorities before anything is decided
    state = state.with_episode(episode)
    first_episode = len(state.episodes) == 1
    _who_is_told(ctx, placing, first_episode)
    share_with_partners(ctx, "missing")
    escalated = on_repeat(ctx, state)
    timers = tuple(timers_on_report(episode, directory.timescales))
    episode = replace(episode, timers=timers)
    state = state.with_episode(episode)
    if escalated:
        state = replace(state, placing_authority_escalated=True)
    return Outcome(state, tuple(ctx.decisions), schedule=timers)


def _who_is_told(ctx: Context, placing: Placing, first_episode: bool) -> None:
    episode, report, ts = ctx.episode, ctx.episode.report, ctx.directory.timescales
    start = episode.started_at
    immediate = ctx.at if episode.high_risk else None  # 1.4: high risk, told immediately
    ctx.tell(
        "mash",
        "record_missing_episode",
        "6.14",
        "New missing episode (MISPER): open the episode and await or give the RAG rating.",
        due=immediate,
        risk_level=episode.risk_level.value,
        cse_risk=episode.cse_risk,
        legal_status=report.legal_status.value,
    )
    ctx.tell(
        "mct",
        "missing_child_notified",
        "7.2",
        "A child is missing: the Missing Children Co-ordinator is the first point of contact.",
        due=immediate,
        risk_level=episode.risk_level.value,
        first_episode=first_episode,
    )
    forms_by = "allocated_worker" if episode.known and placing is not Placing.PLACED_IN else "mct"
    if placing is Placing.PLACED_IN:
        ctx.tell(
            "placing_authority",
            "child_missing_from_placement",
            "8.10",
            "A child you placed here is missing: MCT informs the placing social worker.",
            due=ctx.at,
            risk_level=episode.risk_level.value,
        )
        ctx.tell(
            "police",
            "share_incident_and_location_forms",
            "3.8",
            "The Missing Co-ordinator shares the Incident and Location Forms with the "
            "police to aid the investigation.",
            due=ctx.at,
        )
    elif episode.allocated:
        ctx.tell(
            "allocated_worker",
            "missing_child_notified",
            "7.3",
            "Your child is missing: engage with the carers, co-ordinate partners, "
            "re-assess needs and plan to prevent further episodes (7.4).",
            due=immediate,
            worker_team=report.allocated_worker.team if report.allocated_worker else None,
        )
        ctx.tell(
            "team_manager",
            "missing_child_notified",
            "MCT-PG",
            "A child of your team is missing (always inform the Team Manager).",
        )
    if not episode.known:
        ctx.tell(
            "mct",
            "create_record_and_screen",
            "7.6",
            "Not known to children's services: request a record; MASH fully screens the "
            "child to inform the return interview.",
        )
        ctx.tell(
            "mash",
            "screen_child_not_known",
            "7.6",
            "Screen this child, not open to children's services, for previous concerns.",
        )
    if first_episode:
        ctx.tell(
            forms_by,
            "complete_incident_and_location_forms",
            "3.3",
            "First missing episode: complete the Philomena Incident Form and Location "
            "Form (3.3, 3.4, 7.4).",
            due=ctx.at,
        )
    if placing is Placing.PLACED_OUT:
        ctx.tell(
            "police",
            "share_forms_with_host_police",
            "3.9.1",
            "Share the Incident and Location Forms with the Missing Police Officer, who "
            "passes them to the police force of the host area.",
            due=ctx.at,
        )
        ctx.tell(
            "host_police",
            "incident_and_location_forms_shared",
            "3.9",
            "A child in our care placed in your area is missing.",
            due=ctx.at,
        )
        ctx.tell(
            "host_authority",
            "child_missing_in_your_area",
            "8.3",
            "A child in our care placed in your area is missing; your missing protocol "
            "applies, in collaboration with us.",
        )
    if placing is not Placing.PLACED_IN:
        ctx.tell(
            "service_manager",
            "missing_child_within_24_hours",
            "7.22",
            "The social worker informs the Service Manager within 24 hours.",
            due=start + timedelta(hours=ts.service_manager_informed_hours),
        )
        ctx.tell(
            "allocated_worker" if episode.allocated else "mct",
            "prepare_need_to_know_briefing",
            "7.22",
            "Day one: prepare the Need to Know briefing for the relevant parties.",
            due=start + timedelta(hours=ts.need_to_know_hours),
        )
    if report.legal_status is LegalStatus.LOOKED_AFTER and placing is not Placing.PLACED_IN:
        ctx.tell(
            "iro",
            "missing_child_notified",
            "7.15",
            "A child in care is missing: oversee the Incident Form and address the "
            "episode in statutory review.",
        )
    if report.legal_status is LegalStatus.CHILD_PROTECTION_PLAN:
        ctx.tell(
            "cp_chair",
            "missing_child_notified",
            "7.15",
            "A child on a child protection plan is missing: oversee the Incident Form.",
        )
    if is_out_of_hours(report.reported_at, ctx.directory):
        ctx.tell(
            "edt",
            "missing_child_out_of_hours",
            "3.10",
            "Reported out of hours: police may ask EDT for the Incident and Location Forms.",
            due=ctx.at,
        )
    if episode.cse_risk:
        ctx.tell(
            "rise",
            "missing_child_at_risk_of_cse",
            "6.6",
            "A child with a CSE risk marker is missing.",
            due=ctx.at,
        )
    if report.legal_status is LegalStatus.CARE_LEAVER:
        ctx.tell(
            "leaving_care",
            "reassess_care_leaver",
            "4.1",
            "A care leaver is missing: consider re-assessing needs and support.",
        )
    if report.uasc:
        ctx.tell(
            "home_office",
            "uasc_missing",
            "4.3",
            "An unaccompanied asylum-seeking child is missing.",
            due=ctx.at,
        )
    if report.suspected_trafficking:
        ctx.tell(
            "allocated_worker" if episode.allocated else "mash",
            "consider_national_referral_mechanism",
            "4.3",
            "Trafficking is suspected: refer to the National Referral Mechanism.",
        )
