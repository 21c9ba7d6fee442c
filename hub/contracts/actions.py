"""What a notification asks of its recipient: the recipient roles, the action codes, and for
each action the facts of the duty (`details`). Who the child is travels apart, in the
notification's `child`, as the data policy allows (hub/data/data-policy.yaml)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from hub.contracts.base import Message, NamedAuthority, ShortText
from hub.contracts.vocabulary import (
    EpisodeAssessment,
    FoundBy,
    LegalStatus,
    RagRating,
    RiskLevel,
)


class Recipient(StrEnum):
    """The roles the hub notifies: the home authority's teams and managers, its police, and
    the other parties of section 8 and 4.3."""

    MASH = "mash"
    MASH_MANAGER = "mash_manager"
    MCT = "mct"
    ALLOCATED_WORKER = "allocated_worker"
    IRO = "iro"
    CP_CHAIR = "cp_chair"
    EDT = "edt"
    RISE = "rise"
    LEAVING_CARE = "leaving_care"
    ATS = "ats"
    HEALTH = "health"
    PRACTICE_MANAGER = "practice_manager"
    TEAM_MANAGER = "team_manager"
    SERVICE_MANAGER = "service_manager"
    RISE_MCT_SERVICE_MANAGER = "rise_mct_service_manager"
    CSE_MISSING_SERVICE_MANAGER = "cse_missing_service_manager"
    SQAS_SERVICE_MANAGER = "sqas_service_manager"
    HEAD_OF_SAFEGUARDING = "head_of_safeguarding"
    ASSISTANT_DIRECTOR = "assistant_director"
    OOC_ENGAGEMENT_WORKER = "ooc_engagement_worker"
    RISE_MCT_STRATEGIC_MANAGER = "rise_mct_strategic_manager"
    POLICE = "police"
    HOST_POLICE = "host_police"
    HOST_AUTHORITY = "host_authority"
    PLACING_AUTHORITY = "placing_authority"
    HOME_OFFICE = "home_office"


class Action(StrEnum):
    """What the recipient is asked to do, or told of. Each has its facts model in `FACTS`."""

    ADD_TO_CSE_AND_MISSING_FORUM = "add_to_cse_and_missing_forum"
    ATTEND_STRATEGY_MEETING = "attend_strategy_meeting"
    ATTEND_WITHOUT_DELAY = "attend_without_delay"
    CARRY_OUT_SAFE_AND_WELL_CHECK = "carry_out_safe_and_well_check"
    CHAIR_STRATEGY_DISCUSSION = "chair_strategy_discussion"
    CHASE_PLACING_AUTHORITY = "chase_placing_authority"
    CHECK_CROSS_BORDER_NOTICE = "check_cross_border_notice"
    CHECK_MISPER_REPORT = "check_misper_report"
    CHECK_PLACEMENT_NOTICE = "check_placement_notice"
    CHECK_PLACEMENT_PLAN = "check_placement_plan"
    CHECK_RETURN_INTERVIEW = "check_return_interview"
    CHECK_RISK_UPDATE = "check_risk_update"
    CHILD_FOUND = "child_found"
    CHILD_FOUND_IN_HOST_AREA = "child_found_in_host_area"
    CHILD_FOUND_IN_YOUR_AREA = "child_found_in_your_area"
    CHILD_MISSING_FROM_PLACEMENT = "child_missing_from_placement"
    CHILD_MISSING_IN_HOST_AREA = "child_missing_in_host_area"
    CHILD_MISSING_IN_YOUR_AREA = "child_missing_in_your_area"
    CHILD_RETURNED_OUT_OF_HOURS = "child_returned_out_of_hours"
    COMPLETE_INCIDENT_AND_LOCATION_FORMS = "complete_incident_and_location_forms"
    COMPLETE_MISSING_RISK_ASSESSMENT = "complete_missing_risk_assessment"
    COMPLETE_RETURN_INTERVIEW = "complete_return_interview"
    CONCERNS_ABOUT_RETURN = "concerns_about_return"
    CONDUCT_PREVENTION_INTERVIEW = "conduct_prevention_interview"
    CONDUCT_RETURN_INTERVIEW = "conduct_return_interview"
    CONFIRM_RETURN_INTERVIEW = "confirm_return_interview"
    CONSIDER_ADVICE_AND_SUPPORT = "consider_advice_and_support"
    CONSIDER_ADVICE_TO_PARENT_OR_CARER = "consider_advice_to_parent_or_carer"
    CONSIDER_MASH_REFERRAL_AFTER_DECLINES = "consider_mash_referral_after_declines"
    CONSIDER_NATIONAL_REFERRAL_MECHANISM = "consider_national_referral_mechanism"
    CONVENE_STRATEGY_MEETING = "convene_strategy_meeting"
    CREATE_RECORD_AND_SCREEN = "create_record_and_screen"
    DRAFT_DCS_ESCALATION_LETTER = "draft_dcs_escalation_letter"
    DUTY_ESCALATED = "duty_escalated"
    EPISODE_CLOSED = "episode_closed"
    ESCALATE_RISK_DISAGREEMENT = "escalate_risk_disagreement"
    FOLLOW_UP_DECLINED_RETURN_INTERVIEW = "follow_up_declined_return_interview"
    FORMAL_PLACEMENT_NOTIFICATION = "formal_placement_notification"
    FORMAL_REVIEW_MISSING_THREE_MONTHS = "formal_review_missing_three_months"
    FOUND_CHILD_SHARED = "found_child_shared"
    HEAD_OF_SAFEGUARDING_WRITTEN_NOTICE = "head_of_safeguarding_written_notice"
    HIGH_RISK_CHILD_MISSING = "high_risk_child_missing"
    HOLD_MISSING_CHILD_MEETING = "hold_missing_child_meeting"
    INFORM_PARENTAL_RESPONSIBILITY_HOLDERS = "inform_parental_responsibility_holders"
    INFORM_SERVICE_MANAGER = "inform_service_manager"
    INFORM_TEAM_MANAGER = "inform_team_manager"
    MAKE_MASH_REFERRAL = "make_mash_referral"
    MISSING_CHILD_AT_RISK_OF_CSE = "missing_child_at_risk_of_cse"
    MISSING_CHILD_NOTIFIED = "missing_child_notified"
    MISSING_CHILD_OUT_OF_HOURS = "missing_child_out_of_hours"
    MISSING_CHILD_SHARED = "missing_child_shared"
    NOTIFY_ASSISTANT_DIRECTOR_CHILD_IN_CARE_MISSING_OVER_24_HOURS = (
        "notify_assistant_director_child_in_care_missing_over_24_hours"
    )
    NOTIFY_PLACING_HEAD_OF_SAFEGUARDING = "notify_placing_head_of_safeguarding"
    OFFER_TRUSTED_ADULT_INTERVIEW = "offer_trusted_adult_interview"
    PREPARE_NEED_TO_KNOW_BRIEFING = "prepare_need_to_know_briefing"
    PREVENTION_INTERVIEW_SHARED = "prevention_interview_shared"
    REASSESS_CARE_LEAVER = "reassess_care_leaver"
    RECEIVE_STRATEGY_MEETING_MINUTES = "receive_strategy_meeting_minutes"
    RECORD_MISSING_EPISODE = "record_missing_episode"
    RECORD_PLACEMENT = "record_placement"
    REFER_TO_ADOLESCENT_TARGETED_SUPPORT = "refer_to_adolescent_targeted_support"
    REFER_TO_MASH_FOR_INITIAL_ASSESSMENT = "refer_to_mash_for_initial_assessment"
    RESOLVE_RISK_DISAGREEMENT = "resolve_risk_disagreement"
    RETURN_INTERVIEW_ACCEPTED_BY_PLACING_AUTHORITY = (
        "return_interview_accepted_by_placing_authority"
    )
    RETURN_INTERVIEW_HANDOVER_UNCONFIRMED = "return_interview_handover_unconfirmed"
    RETURN_INTERVIEW_OVERDUE = "return_interview_overdue"
    RETURN_INTERVIEW_SHARED = "return_interview_shared"
    REVIEW_REPEAT_MISSING_CASE = "review_repeat_missing_case"
    RISK_LEVEL_CHANGED = "risk_level_changed"
    SCREEN_CHILD_NOT_KNOWN = "screen_child_not_known"
    SHARE_FORMS_WITH_HOST_POLICE = "share_forms_with_host_police"
    SHARE_INCIDENT_AND_LOCATION_FORMS = "share_incident_and_location_forms"
    TALK_TO_HOST_SAFEGUARDING = "talk_to_host_safeguarding"
    UASC_MISSING = "uasc_missing"


class NoFacts(Message):
    """The action says it all: nothing more than the child and the episode."""


class MeetingFacts(Message):
    meeting: ShortText = Field(
        description="Which strategy meeting: '24-hour', '48-hour', 'significant-risk', "
        "'day 7', ... (7.18, 7.22)."
    )


class ConveneFacts(MeetingFacts):
    high_risk: bool = Field(description="High risk: the shorter timescales apply (7.17).")


class FromAuthorityFacts(Message):
    from_authority: ShortText = Field(
        description="The authority whose notice led to this duty (section 8): its directory "
        "code, or, for one the directory does not know, the name it gave in code form."
    )


class ReportReadFacts(Message):
    """A MISPER report's fields the hub read otherwise than sent (docs/contracts.md, "What
    the hub reads of a MISPER report"): each field read so, the value sent and the value
    read, as the report's JSON writes them; a field absent was read as sent."""

    risk_level_sent: RiskLevel | Literal["not given"] | None = Field(
        default=None,
        description="The grading sent: low, for a child under 18; `not given` when the "
        "report left it out (6.5).",
    )
    risk_level_read: RiskLevel | None = Field(
        default=None, description="The grading the hub routed the child on: medium (6.5)."
    )
    cse_risk_sent: Literal["not given"] | None = Field(
        default=None, description="`not given`: the report left the CSE marker out (6.6)."
    )
    cse_risk_read: bool | None = Field(
        default=None,
        description="The marker the hub routed the child on: false, or true as the child's "
        "last report said; a risk update can raise it (6.6).",
    )
    uasc_sent: Literal["not given"] | None = Field(
        default=None, description="`not given`: the report left `uasc` out (4.3)."
    )
    uasc_read: bool | None = Field(
        default=None,
        description="What the hub routed the child on: false, or true as the child's last "
        "report said (4.3).",
    )
    legal_status_sent: Literal["not given"] | None = Field(
        default=None, description="`not given`: the report left `legal_status` out (7.6)."
    )
    legal_status_read: LegalStatus | None = Field(
        default=None,
        description="The status the hub routed the child on: `not_known`, screened (7.6), "
        "or the status the child's last report gave (7.3).",
    )
    missing_since_sent: AwareDatetime | None = Field(
        default=None, description="The start sent, later than `reported_at` (7.22)."
    )
    missing_since_read: AwareDatetime | None = Field(
        default=None, description="The start the hub counts from: `reported_at` (7.22)."
    )
    last_seen_at_sent: AwareDatetime | None = Field(
        default=None, description="`last_seen.at` as sent, later than `reported_at`."
    )
    last_seen_at_read: AwareDatetime | None = Field(
        default=None, description="`last_seen.at` as the hub reads it: `reported_at`."
    )


class RiskUpdateReadFacts(Message):
    """A risk update's grading the hub read otherwise than sent (docs/contracts.md, "What
    the hub reads of a risk update"): the grading sent and the grading read."""

    risk_level_sent: RiskLevel = Field(description="The grading sent: low, for a child under 18.")
    risk_level_read: RiskLevel = Field(
        description="The grading the hub routed the child on: medium (6.5)."
    )


class InterviewReadFacts(Message):
    """A return interview's result the hub read otherwise than sent (docs/contracts.md,
    "What the hub reads of a return interview"): its completion sent and read."""

    # A completed interview may leave `completed_at` out: read as recorded all the same, and
    # its interviewer told so (docs/contracts.md), which this schema must let arrive.
    completed_at_sent: AwareDatetime | Literal["not given"] = Field(
        description="`completed_at` as sent, later than `recorded_at`; `not given` when the "
        "completed interview left it out."
    )
    completed_at_read: AwareDatetime = Field(
        description="The completion the hub counts the interview done at: `recorded_at` (5.12)."
    )


class FormsFacts(Message):
    from_authority: ShortText | None = Field(
        default=None, description="For a placement notice: the placing authority (3.4, 8.9)."
    )
    previous_missing_episodes: int | None = Field(
        default=None, ge=0, description="For a child we place out of area (3.3(b), 7.14)."
    )


class PlacementFacts(FromAuthorityFacts):
    planned_placement: bool = Field(description="Unplanned: forms within 5 days (3.3).")
    previous_missing_episodes: int = Field(ge=0, description="7.14: a history of going missing.")


class FoundFacts(Message):
    found_by: FoundBy | None = Field(
        default=None,
        description="Who found the child, or that the child came back. Always sent but to the "
        "Home Office (4.3: its missing status only; found by a parent or carer says with whom "
        'the child is, weighed as "information being divulged as to the whereabouts").',
    )


class ClosedFacts(Message):
    closed_at: AwareDatetime = Field(
        description="When the senior police officer and the Assistant Director decided "
        "jointly to close the case, the child not found (7.24)."
    )


class WelfareCheckFacts(Message):
    welfare_check_required: bool = Field(description="MCT practice guidance, on the return.")


class OverdueFacts(Message):
    owner: Recipient | None = Field(
        default=None,
        description="Who owns the overdue interview, when the recipient is not the owner.",
    )


class RatingFacts(Message):
    rating: RagRating = Field(description="MASH RAG rating (6.14): Red 4h, Amber 24h, Green 72h.")


class NotifiedFacts(Message):
    first_episode: bool | None = Field(
        default=None, description="The child's first missing episode (3.3): told to the MCT."
    )


class HostPoliceFacts(Message):
    host_area: NamedAuthority | None = Field(
        description="Where the child is placed, as the MISPER report names it (3.9.1)."
    )


class CareLeaverFacts(Message):
    adult: bool = Field(description="18 or over: an adult to the police (1.4).")


class EpisodesFacts(Message):
    episodes: int = Field(ge=1, description="Missing episodes in the window (7.18, 8.12).")


class RepeatFacts(EpisodesFacts):
    window_days: int = Field(ge=1)
    quick_succession: bool = Field(description="In quick succession: immediately (7.19).")


class ReturnInterviewFacts(Message):
    assessment: EpisodeAssessment | None = Field(description="What the interview found (7.7).")
    formal_interview: bool = Field(description="False: a trusted adult stood in (5.15).")
    push_factors: ShortText | None = Field(description="Comma-separated PushPullFactor codes.")
    pull_factors: ShortText | None = Field(description="Comma-separated PushPullFactor codes.")


class PreventionInterviewFacts(Message):
    concerns_identified: bool


class ReferralFacts(Message):
    assessment: EpisodeAssessment | None


class RiskChangeFacts(Message):
    risk_level: RiskLevel = Field(description="The new grading (7.16).")
    cse_risk: bool


class DisagreementFacts(Message):
    proposed_risk_level: RiskLevel = Field(description="The grading the professional proposes.")


class EscalationFacts(Message):
    """A duty neither acknowledged within its window nor done by its deadline (issue 14); to
    the IRO, also a strategy meeting of our child in care placed out of county acknowledged
    but not held by its deadline (8.7)."""

    duty_notification_id: UUID = Field(
        description="The notification of the unanswered duty (8.7: of the meeting not held)."
    )
    duty_action: Action = Field(description="What the duty asked for.")
    owed_to: Recipient = Field(description="Whom the duty was owed to.")
    owed_by_authority: ShortText = Field(description="The agency the duty was owed to.")
    duty_due: AwareDatetime = Field(description="The duty's deadline.")


# Each action's facts. A rule that tells an action without its facts, or with others, fails
# when its notification is made (a bug, caught by the tests, which drive every rule through
# it), so the schema published for an action is what its recipients receive.
FACTS: dict[Action, type[Message]] = {
    **{action: NoFacts for action in Action},
    Action.ADD_TO_CSE_AND_MISSING_FORUM: EpisodesFacts,
    Action.ATTEND_STRATEGY_MEETING: MeetingFacts,
    Action.CHECK_CROSS_BORDER_NOTICE: FromAuthorityFacts,
    Action.CHECK_MISPER_REPORT: ReportReadFacts,
    Action.CHECK_PLACEMENT_NOTICE: FromAuthorityFacts,
    Action.CHECK_PLACEMENT_PLAN: FromAuthorityFacts,
    Action.CHECK_RETURN_INTERVIEW: InterviewReadFacts,
    Action.CHECK_RISK_UPDATE: RiskUpdateReadFacts,
    Action.CHILD_FOUND: FoundFacts,
    Action.CHILD_FOUND_IN_HOST_AREA: FromAuthorityFacts,
    Action.CHILD_MISSING_IN_HOST_AREA: FromAuthorityFacts,
    Action.COMPLETE_INCIDENT_AND_LOCATION_FORMS: FormsFacts,
    Action.COMPLETE_MISSING_RISK_ASSESSMENT: RatingFacts,
    Action.CONVENE_STRATEGY_MEETING: ConveneFacts,
    Action.DUTY_ESCALATED: EscalationFacts,
    Action.EPISODE_CLOSED: ClosedFacts,
    Action.FORMAL_PLACEMENT_NOTIFICATION: PlacementFacts,
    Action.HEAD_OF_SAFEGUARDING_WRITTEN_NOTICE: EpisodesFacts,
    Action.INFORM_PARENTAL_RESPONSIBILITY_HOLDERS: WelfareCheckFacts,
    Action.MAKE_MASH_REFERRAL: ReferralFacts,
    Action.MISSING_CHILD_NOTIFIED: NotifiedFacts,
    Action.NOTIFY_PLACING_HEAD_OF_SAFEGUARDING: EpisodesFacts,
    Action.PREVENTION_INTERVIEW_SHARED: PreventionInterviewFacts,
    Action.REASSESS_CARE_LEAVER: CareLeaverFacts,
    Action.RECEIVE_STRATEGY_MEETING_MINUTES: MeetingFacts,
    Action.RECORD_PLACEMENT: FromAuthorityFacts,
    Action.RESOLVE_RISK_DISAGREEMENT: DisagreementFacts,
    Action.RETURN_INTERVIEW_ACCEPTED_BY_PLACING_AUTHORITY: FromAuthorityFacts,
    Action.RETURN_INTERVIEW_OVERDUE: OverdueFacts,
    Action.RETURN_INTERVIEW_SHARED: ReturnInterviewFacts,
    Action.REVIEW_REPEAT_MISSING_CASE: RepeatFacts,
    Action.RISK_LEVEL_CHANGED: RiskChangeFacts,
    Action.SHARE_FORMS_WITH_HOST_POLICE: HostPoliceFacts,
    Action.TALK_TO_HOST_SAFEGUARDING: FromAuthorityFacts,
}
