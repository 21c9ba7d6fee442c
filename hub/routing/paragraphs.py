"""Every paragraph the engine cites, with the heading a reader needs to find it.

The text numbers two paragraphs twice (1.4: legislation and definitions; 5.12: the
Prevention Interview and the Independent Return Interview), so those are cited with the
heading they sit under (rules-index 2.B). `MCT-PG` is the MCT practice guidance. A rule that
cites a paragraph missing from this table fails loudly: a citation nobody can find is no
explanation."""

from __future__ import annotations

PARAGRAPHS: dict[str, str] = {
    "1.4 (Definitions)": "Definitions: high risk, children's services notified immediately",
    "3.3": "Incident Form and Location Form: first episode, or a placement",
    "3.6": "Part two of the Incident Form reviewed and updated at each missing episode",
    "3.8": "A child placed here by another authority: forms shared with police",
    "3.9": "A child placed out of area: forms to that force and ours",
    "3.9.1": "Forms for a child placed out of area go through our Missing Police Officer",
    "3.10": "Out of hours: 17:30-09:00 weekdays, weekends, bank holidays; EDT",
    "3.18": "Found by a parent or carer: information and advice",
    "4.1": "Care leavers",
    "4.3": "Unaccompanied asylum-seeking children: Home Office, NRM",
    "5.1": "Return: police attend, without delay if a victim of crime",
    "5.6": "Concerns about the home or placement before the child is returned",
    "5.12 (Prevention Interview)": "Police Prevention Interview in all cases",
    "5.12 (Independent Return Interview)": "Return interview within 72 hours of return",
    "5.15": "The child declines the return interview",
    "5.16": "Continued refusal: consider a MASH referral",
    "5.17": "Return interview recorded; MASH referral if not known",
    "5.18": "Prevention and return interviews shared with police, worker and IRO",
    "6.4": "Police MPU share information on missing children every week day",
    "6.5": "Under-18s are graded Medium or High risk only",
    "6.6": "Risk reviewed continually; CSE markers and RISE",
    "6.7": "Disagreement about the risk level: escalation within 12 hours",
    "6.8": "Assistant Director: children in care missing 24 hours, 3 months, 18th birthday",
    "6.11": "Missing and found information shared Monday, Wednesday and Friday",
    "6.14": "MASH: MISPER notification and RAG-rated risk assessment",
    "7.2": "The Missing Children Co-ordinator, told without delay",
    "7.3": "A child known to children's services: the allocated worker",
    "7.6": "A child not known to children's services: the MCT's duties",
    "7.7": "Outcomes of the return interview",
    "7.8": "Return interview shared with the allocated social worker",
    "7.12": "Placement planning: the host authority and local police",
    "7.14": "Placing out of area: Formal Notification to the host authority",
    "7.15": "The placement plan: IRO or CP chair checks it within 5 working days",
    "7.16": "The case reviewed when new information changes the risk",
    "7.17": "Those involved meet: missing over 24 hours, 3 times in 90 days, or at significant "
    "risk",
    "7.18": "Who chairs strategy meetings; repeat episodes and case reviews",
    "7.19": "Episodes in quick succession: review immediately",
    "7.20": "Who attends strategy meetings; minutes within 24 hours",
    "7.22": "Maximum timescales while a child stays missing",
    "7.23": "Strategy meeting minutes to the IRO or CP chair",
    "7.24": "Police missing person files stay live until the child is formally found",
    "7.27": "A child placed here by another authority: its meetings are the placing authority's",
    "7.28": "Repeat absence: the monthly CSE and Missing Persons Forum",
    "8.3": "Our child placed in a host authority goes missing",
    "8.4": "The placing and host notification process",
    "8.7": "The IRO reports on out-of-county children's episodes and tells the team manager",
    "8.9": "Other authorities must tell us when they place a child here",
    "8.10": "A child placed here: the placing authority told; its return interview",
    "8.11": "A child placed here at risk of significant harm: our child protection procedures",
    "8.12": "Three episodes in 90 days with serious concerns: the placing authority's Head of "
    "Safeguarding",
    "8.13": "Escalation continues: letter from our DCS to the placing authority's DCS",
    "MCT-PG": "MCT practice guidance (In and Out of Northamptonshire, Flowcharts 1 and 2)",
}


def heading_of(paragraph: str) -> str:
    try:
        return PARAGRAPHS[paragraph]
    except KeyError:
        raise ValueError(f"paragraph {paragraph!r} is not in hub.routing.paragraphs") from None
