"""One user per agency, deny by default (issue 13, section 2): what `hub access plan`
grants each principal, read as the broker's authorizer would read it."""

from __future__ import annotations

import pytest

from hub.access.plan import AccessPlan, Grant, access_plan
from hub.access.senders import agencies
from hub.routing.directory import load_directory

KNOWN = agencies(load_directory())
PLAN: AccessPlan = access_plan(
    [KNOWN["bedfordshire-police"], KNOWN["luton"], KNOWN["northamptonshire"]], "hub", "d.", "d.hub"
)


def allowed(user: str, operation: str, resource: str, name: str) -> bool:
    """StandardAuthorizer's reading: a LITERAL grant matches its name, a PREFIXED one every
    name that starts with it; nothing else is allowed."""

    def matches(grant: Grant) -> bool:
        if grant.pattern == "PREFIXED":
            return name.startswith(grant.name)
        return name == grant.name

    return any(
        g.principal == f"User:{user}"
        and g.operation == operation
        and g.resource == resource
        and matches(g)
        for g in PLAN.grants
    )


def test_a_force_writes_its_own_police_topics_only() -> None:
    assert allowed(
        "bedfordshire-police", "WRITE", "TOPIC", "d.inbound.misper-report.bedfordshire-police"
    )
    assert allowed(
        "bedfordshire-police", "WRITE", "TOPIC", "d.inbound.found-report.bedfordshire-police"
    )
    assert not allowed("bedfordshire-police", "WRITE", "TOPIC", "d.inbound.misper-report.luton")
    assert not allowed("bedfordshire-police", "WRITE", "TOPIC", "d.inbound.misper-report")
    assert not allowed(
        "bedfordshire-police", "WRITE", "TOPIC", "d.inbound.mash-rating.bedfordshire-police"
    )


def test_a_local_authority_writes_what_local_authorities_send() -> None:
    assert allowed("luton", "WRITE", "TOPIC", "d.inbound.mash-rating.luton")
    assert allowed("luton", "WRITE", "TOPIC", "d.inbound.cross-border-notice.luton")
    assert not allowed("luton", "WRITE", "TOPIC", "d.inbound.misper-report.luton")


def test_an_agency_reads_its_own_notifications_in_its_own_groups() -> None:
    assert allowed("luton", "READ", "TOPIC", "d.notify.luton.host_authority")
    assert allowed("luton", "READ", "GROUP", "luton.case-system")
    assert not allowed("luton", "READ", "TOPIC", "d.notify.northamptonshire.mct")
    assert not allowed("luton", "READ", "GROUP", "northamptonshire.case-system")
    assert not allowed("luton", "READ", "GROUP", "d.hub")  # the hub's own
    assert not allowed("luton", "READ", "TOPIC", "d.inbound.mash-rating.luton")


def test_a_sender_writes_in_transactions_of_its_own_only() -> None:
    """README ("For senders"): transactions may be used. A transactional id is the sender's
    (named `<agency>.*`, as its consumer groups): with another's, it would fence that
    agency's producer."""
    assert allowed("luton", "WRITE", "TRANSACTIONAL_ID", "luton.case-system")
    assert allowed("luton", "DESCRIBE", "TRANSACTIONAL_ID", "luton.case-system")
    assert not allowed("luton", "WRITE", "TRANSACTIONAL_ID", "northamptonshire.case-system")
    assert not allowed("luton", "WRITE", "TRANSACTIONAL_ID", "luton-and-dunstable.case-system")


def test_a_code_that_begins_another_agencys_reads_nothing_of_it() -> None:
    """`notify.luton.`, with its dot."""
    assert not allowed("luton", "READ", "TOPIC", "d.notify.luton-and-dunstable.mct")


def test_only_the_hub_reads_inbound_and_writes_notifications() -> None:
    assert allowed("hub", "READ", "TOPIC", "d.inbound.misper-report.bedfordshire-police")
    assert allowed("hub", "WRITE", "TOPIC", "d.notify.luton.host_authority")
    assert allowed("hub", "READ", "GROUP", "d.hub")
    readers = {
        g.principal for g in PLAN.grants if g.operation == "READ" and ".inbound." in f".{g.name}"
    }
    writers = {g.principal for g in PLAN.grants if g.operation == "WRITE" and "notify." in g.name}
    assert readers == writers == {"User:hub"}


def test_the_plan_lists_each_agencys_user_and_topics() -> None:
    assert PLAN.users == ("hub", "bedfordshire-police", "luton", "northamptonshire")
    assert "d.inbound.misper-report.bedfordshire-police" in PLAN.topics
    assert "d.inbound.misper-report.luton" not in PLAN.topics
    text = PLAN.render()
    assert "User:luton" in text
    assert "READ" in text


def test_every_agency_of_the_directory_has_a_user() -> None:
    directory = load_directory()
    everyone = agencies(directory)
    assert set(directory.reference.police_forces) <= set(everyone)
    assert set(directory.reference.authorities) <= set(everyone)
    assert directory.home_authority in everyone


def test_the_home_office_reads_the_notices_of_an_asylum_seeking_childs_missing_status() -> None:
    """4.3: "The Home Office should be informed of the child/young person's missing
    status". The hub writes the notice to `notify.home-office.home_office`; on a broker that
    denies by default, `hub access plan` must give the Home Office a user that reads it (and
    writes nothing: it sends the hub nothing), or the notice waits there unread."""
    from typer.testing import CliRunner

    from hub.cli import app

    planned = CliRunner().invoke(app, ["access", "plan", "--agency", "home-office"])
    assert planned.exit_code == 0, planned.output
    grants = [line.split() for line in planned.output.splitlines() if "User:" in line]
    assert ["User:home-office", "READ", "topic", "notify.home-office.*"] in grants
    assert ["User:home-office", "READ", "group", "home-office.*"] in grants
    assert not [g for g in grants if g[0] == "User:home-office" and g[1] == "WRITE"]
    everyone = CliRunner().invoke(app, ["access", "plan"])
    assert "User:home-office" in everyone.output


def test_the_hubs_consumer_group_is_in_no_agencys_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each agency may join consumer groups named `<agency>.*` (section 2). A hub whose group
    were named so (`HUB_GROUP_ID=northamptonshire.hub`) would let that agency join it
    and be given the hub's inbound partitions, which it cannot read: every agency's reports
    left unapplied while it holds them. The plan refuses such a name rather than grant it."""
    from typer.testing import CliRunner

    from hub.cli import app

    monkeypatch.setenv("HUB_GROUP_ID", "northamptonshire.hub")
    planned = CliRunner().invoke(app, ["access", "plan"])
    assert planned.exit_code == 2
    assert "HUB_GROUP_ID" in planned.output
    assert "northamptonshire" in planned.output
