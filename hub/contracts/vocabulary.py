"""The protocol's vocabularies, as enumerations named in its own words."""

from __future__ import annotations

from enum import StrEnum


class RiskLevel(StrEnum):
    """Police risk grading (protocol 1.4, 6.5). Under-18s are only ever medium or high."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class LegalStatus(StrEnum):
    """How the child is known to children's services (protocol 3.4, 7.3, 7.6, 4.1)."""

    LOOKED_AFTER = "looked_after"
    CHILD_PROTECTION_PLAN = "child_protection_plan"
    CHILD_IN_NEED_PLAN = "child_in_need_plan"
    EARLY_HELP = "early_help"
    CARE_LEAVER = "care_leaver"
    NOT_KNOWN = "not_known"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_KNOWN = "not_known"


class FoundBy(StrEnum):
    """Who located the child (protocol 3.18, 5.1)."""

    POLICE = "police"
    PARENT_OR_CARER = "parent_or_carer"
    RETURNED_OF_OWN_ACCORD = "returned_of_own_accord"
    OTHER = "other"


class RagRating(StrEnum):
    """MASH RAG rating (protocol 6.14): Red 4 hours, Amber 24, Green 72."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class ReturnInterviewOutcome(StrEnum):
    """What became of the Independent Return Interview (5.15, MCT practice guidance)."""

    COMPLETED = "completed"
    DECLINED = "declined"  # by the child (5.15)
    # MCT practice guidance: neither the OOC Engagement Worker nor the MCT can do it, so the
    # allocated social work team must.
    CANNOT_COMPLETE = "cannot_complete"


class EpisodeAssessment(StrEnum):
    """What the return interview found (protocol 7.7)."""

    NOT_SIGNIFICANT_NO_VULNERABILITIES = "not_significant_no_vulnerabilities"
    NOT_SIGNIFICANT_WITH_VULNERABILITIES = "not_significant_with_vulnerabilities"
    SIGNIFICANT = "significant"


class Interviewer(StrEnum):
    """Who conducted the return interview (5.12, 5.15, 8.10, MCT practice guidance)."""

    MCT = "mct"
    OOC_ENGAGEMENT_WORKER = "ooc_engagement_worker"
    ALLOCATED_TEAM = "allocated_team"
    PLACING_AUTHORITY = "placing_authority"
    TRUSTED_ADULT = "trusted_adult"


class PushPullFactor(StrEnum):
    """Risk factors that precede a missing episode (MCT practice guidance,
    'Reasons why Children go Missing')."""

    CONFLICT_AT_HOME = "conflict_at_home"
    POOR_FAMILY_RELATIONSHIPS = "poor_family_relationships"
    ABUSE = "abuse"
    PERSONAL_WELLBEING = "personal_wellbeing"
    PROBLEMS_AT_SCHOOL = "problems_at_school"
    ALCOHOL_OR_DRUGS = "alcohol_or_drugs"
    GROOMING_OR_CSE = "grooming_or_cse"
    PLACEMENT_INSTABILITY = "placement_instability"


class MeetingAttendee(StrEnum):
    """Who attended a strategy meeting (7.20, 7.21)."""

    SOCIAL_WORKER = "social_worker"
    POLICE = "police"
    HEALTH = "health"
    MCT = "mct"
    PARENT_OR_CARER = "parent_or_carer"
    EDUCATION = "education"
    LEGAL_ADVISOR = "legal_advisor"
    OTHER = "other"


class CrossBorderNoticeKind(StrEnum):
    """Notices between authorities (protocol section 8)."""

    PLACEMENT_NOTIFIED = "placement_notified"  # 8.9, and 7.14 in the other direction
    CHILD_MISSING = "child_missing"  # 8.3, 8.4, 8.10
    CHILD_FOUND = "child_found"  # 8.4, 8.10
    RETURN_INTERVIEW_ACCEPTED = "return_interview_accepted"  # 8.10: the placing authority's


class Agency(StrEnum):
    POLICE = "police"
    CHILDRENS_SERVICES = "childrens_services"
