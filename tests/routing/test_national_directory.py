"""The national reference data: every authority with children's social care and every
police force, as they are today, each authority in exactly one force's area; and the names
senders write resolved to today's entries."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from hub.routing.directory import (
    DEFAULT_PATH,
    AuthorityKind,
    DirectoryError,
    Nation,
    Standing,
    load_directory,
    load_national,
)
from tests.routing.builders import DIRECTORY

NATIONAL = load_national()

GSS_PREFIX = {
    AuthorityKind.COUNTY: "E10",
    AuthorityKind.UNITARY: "E06",
    AuthorityKind.METROPOLITAN_DISTRICT: "E08",
    AuthorityKind.LONDON_BOROUGH: "E09",
    AuthorityKind.CITY_OF_LONDON: "E09",
    AuthorityKind.WELSH_PRINCIPAL_AREA: "W06",
    AuthorityKind.SCOTTISH_COUNCIL: "S12",
}


def test_every_nation_is_there_in_full() -> None:
    nations = Counter(a.nation for a in NATIONAL.authorities.values())
    assert nations[Nation.ENGLAND] == 153  # every children's services authority since 2023
    assert nations[Nation.WALES] == 22
    assert nations[Nation.SCOTLAND] == 32
    assert nations[Nation.NORTHERN_IRELAND] == 5  # the Health and Social Care Trusts


def test_every_police_force_is_there() -> None:
    forces = NATIONAL.police_forces.values()
    england_and_wales = [f for f in forces if f.nation in (Nation.ENGLAND, Nation.WALES)]
    assert len([f for f in england_and_wales if f.territorial]) == 43
    assert {"police-scotland", "police-service-of-northern-ireland"} <= set(NATIONAL.police_forces)
    assert not NATIONAL.police_forces["british-transport-police"].territorial


def test_every_authority_lies_in_exactly_one_force_of_its_own_nation() -> None:
    for code, authority in NATIONAL.authorities.items():
        force = NATIONAL.police_forces[authority.police_force]
        assert force.territorial, code
        assert force.nation is authority.nation, code


def test_every_territorial_force_polices_some_authority() -> None:
    policed = {a.police_force for a in NATIONAL.authorities.values()}
    territorial = {code for code, f in NATIONAL.police_forces.items() if f.territorial}
    assert territorial == policed


def test_codes_are_unique_and_official_codes_have_their_kinds_prefix() -> None:
    assert not NATIONAL.authorities.keys() & NATIONAL.police_forces.keys()
    official = [a.gss for a in NATIONAL.authorities.values() if a.gss]
    assert len(official) == len(set(official))
    for code, authority in NATIONAL.authorities.items():
        prefix = GSS_PREFIX.get(authority.kind)
        if prefix is not None:
            assert authority.gss is not None, code
            assert re.fullmatch(prefix + r"\d{6}", authority.gss), code


def test_todays_authorities_not_yesterdays() -> None:
    for today in (
        "north-northamptonshire",
        "west-northamptonshire",
        "bedford",
        "central-bedfordshire",
        "luton",
        "cumberland",
        "westmorland-and-furness",
        "north-yorkshire",
        "somerset",
    ):
        assert today in NATIONAL.authorities
    for gone in ("northamptonshire", "bedfordshire", "cumbria"):
        assert gone not in NATIONAL.authorities
        assert gone in NATIONAL.aliases
    assert NATIONAL.authorities["cumberland"].kind is AuthorityKind.UNITARY
    assert NATIONAL.authorities["somerset"].kind is AuthorityKind.UNITARY


@pytest.mark.parametrize(
    ("code", "gss", "force"),
    [
        ("cumberland", "E06000063", "cumbria-police"),
        ("westmorland-and-furness", "E06000064", "cumbria-police"),
        ("north-yorkshire", "E06000065", "north-yorkshire-police"),
        ("somerset", "E06000066", "avon-and-somerset-police"),
    ],
)
def test_the_2023_unitary_authorities_have_their_ons_codes_and_forces(
    code: str, gss: str, force: str
) -> None:
    """ONS, "Local Authority District to Community Safety Partnership to Police Force Area
    (December 2023) Lookup in England and Wales" (LAD23CD, PFA23CD): the authorities made on
    1 April 2023, each with its code and the police force area it lies in (E23000002
    Cumbria, E23000009 North Yorkshire, E23000036 Avon and Somerset)."""
    authority = NATIONAL.authorities[code]
    assert (authority.gss, authority.police_force) == (gss, force)
    assert authority.kind is AuthorityKind.UNITARY


def test_the_home_authority_keeps_accepting_northamptonshire() -> None:
    for named in ("northamptonshire", "west-northamptonshire", "North Northamptonshire Council"):
        assert DIRECTORY.resolve_authority(named).standing is Standing.HOME


def test_the_home_authority_is_known_by_the_name_it_goes_by() -> None:
    # 7.15: a child of ours named by "Northamptonshire Children's Trust" is not placed here
    # by an unknown authority; its worker, IRO and 6.8 duties are ours.
    assert DIRECTORY.home_name == "Northamptonshire Children's Trust"
    for named in (DIRECTORY.home_name, "northamptonshire childrens trust"):
        assert DIRECTORY.resolve_authority(named).standing is Standing.HOME, named


def test_an_older_name_covering_several_authorities_is_ambiguous_but_keeps_their_force() -> None:
    bedfordshire = DIRECTORY.resolve_authority("bedfordshire")
    assert bedfordshire.standing is Standing.AMBIGUOUS
    assert set(bedfordshire.codes) == {"bedford", "central-bedfordshire"}
    assert DIRECTORY.force_of(bedfordshire) == "bedfordshire-police"
    assert DIRECTORY.borders(bedfordshire)


@pytest.mark.parametrize(
    ("named", "code"),
    [
        ("wiltshire", "wiltshire"),
        ("Wiltshire Council", "wiltshire"),
        ("Hertfordshire County Council", "hertfordshire"),
        ("Leeds City Council", "leeds"),
        ("cardiff", "cardiff"),
        ("Surrey", "surrey"),
    ],
)
def test_a_sender_may_name_an_authority_by_its_code_or_its_official_name(
    named: str, code: str
) -> None:
    assert DIRECTORY.resolve_authority(named).code == code


@pytest.mark.parametrize(
    "named",
    [
        "Bedfordshire (including Luton)",
        "Luton",
        "Buckinghamshire (including Milton Keynes)",
        "Milton Keynes",
        "Leicestershire",
        "Cambridgeshire",
        "Oxfordshire",
        "Warwickshire (including Coventry)",
        "Coventry",
    ],
)
def test_every_bordering_authority_of_the_mct_practice_guidance_resolves(named: str) -> None:
    """MCT-PG: "If the young person lives in the any of the boarding local authorities namely
    Bedfordshire (including Luton), Buckinghamshire (including Milton Keynes) Leicestershire,
    Cambridgeshire, Oxfordshire, Warwickshire (including Coventry) the MCT will take
    ownership for completion of the Independent Return Interview." """
    head = named.split(" (")[0]
    resolved = DIRECTORY.resolve_authority(head)
    assert resolved.standing in (Standing.KNOWN, Standing.AMBIGUOUS), named
    assert DIRECTORY.borders(resolved), named


def test_a_police_force_is_named_by_its_code_alias_or_name() -> None:
    assert DIRECTORY.resolve_force("northamptonshire-police") == "northamptonshire-police"
    assert DIRECTORY.resolve_force("Cambridgeshire Constabulary") == "cambridgeshire-police"
    assert DIRECTORY.resolve_force("evil-collector") is None
    # What police systems write for the forces they work with most.
    assert DIRECTORY.resolve_force("GMP") == "greater-manchester-police"
    assert DIRECTORY.resolve_force("MPS") == "metropolitan-police"
    assert DIRECTORY.resolve_force("Met Police") == "metropolitan-police"
    assert DIRECTORY.resolve_force("TVP") == "thames-valley-police"
    assert DIRECTORY.resolve_force("Devon and Cornwall Constabulary") == (
        "devon-and-cornwall-police"
    )
    assert DIRECTORY.resolve_authority("kent-police").standing is Standing.UNKNOWN


def test_every_authority_and_force_is_known_by_its_gss_code() -> None:
    """The GSS (ONS) code the directory holds is how many case and police systems record an
    authority or force: a report or notice naming one by it is routed, never held for ops."""
    for code, authority in NATIONAL.authorities.items():
        if authority.gss is None:
            continue
        resolved = DIRECTORY.resolve_authority(authority.gss)
        if code in DIRECTORY.home_areas:
            assert (resolved.standing, resolved.codes) == (Standing.HOME, (code,)), code
        else:
            assert resolved.code == code, code
        assert DIRECTORY.resolve_force(authority.gss) is None, code
    for code, force in NATIONAL.police_forces.items():
        if force.gss is not None:
            assert DIRECTORY.resolve_force(force.gss) == code, code
            assert DIRECTORY.resolve_authority(force.gss).standing is Standing.UNKNOWN, code


def test_the_data_file_cites_its_sources_with_their_dates() -> None:
    from importlib import resources

    header = resources.files("hub.data").joinpath("national-directory.yaml").read_text()
    assert "Sources" in header.split("police_forces:")[0]
    assert re.search(r"20\d\d", header.split("police_forces:")[0])


def test_a_deployment_naming_an_authority_the_nation_lacks_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "deployment.yaml"
    bad.write_text(DEFAULT_PATH.read_text().replace("- coventry", "- atlantis"))
    with pytest.raises(DirectoryError, match="bordering"):
        load_directory(bad)


@pytest.mark.parametrize(
    "named",
    ["The Northamptonshire Children's Trust", "THE NORTHAMPTONSHIRE CHILDREN\u2019S TRUST"],
)
def test_the_home_authority_s_own_name_after_the_is_still_ours(named: str) -> None:
    """docs/directory.md: "The" does not matter. 7.15: a child of ours named by the trust
    with "The" before its name is ours, not a child placed here by an unknown authority."""
    assert DIRECTORY.resolve_authority(named).standing is Standing.HOME


@pytest.mark.parametrize(
    ("named", "code"),
    [
        ("The Metropolitan Police Service", "metropolitan-police"),
        ("the Police Service of Northern Ireland", "police-service-of-northern-ireland"),
        ("THE KENT POLICE", "kent-police"),
    ],
)
def test_a_police_force_named_with_the_is_that_force(named: str, code: str) -> None:
    """docs/directory.md: `reporting_force` is read the same way as an authority: "The"
    does not matter. A force's duties (5.12's prevention interview) are not held for it."""
    assert DIRECTORY.resolve_force(named) == code


@pytest.mark.parametrize(
    ("named", "code"),
    [
        ("Ynys M\u00f4n", "isle-of-anglesey"),  # the Welsh name, as the council writes it
        ("City of London Council", "city-of-london"),
    ],
)
def test_a_name_as_written_resolves_however_it_is_accented_or_worded(named: str, code: str) -> None:
    """The alias `ynys-mon` is the Isle of Anglesey's Welsh name, written with its
    circumflex; "Council" after a name does not matter (docs/directory.md), whatever it
    begins with."""
    assert DIRECTORY.resolve_authority(named).code == code


def test_every_authority_is_known_by_its_name_however_a_council_writes_it() -> None:
    """No name, code or GSS code of one entry is taken for another's (docs/directory.md):
    each of today's authorities, written as its council or a case system writes it,
    resolves to that authority and no other."""
    for code, authority in NATIONAL.authorities.items():
        name = authority.name
        written = [code, name, name.upper(), f"{name} Council", f"The {name} Council"]
        written += [authority.gss, authority.gss.lower()] if authority.gss else []
        for named in written:
            resolved = DIRECTORY.resolve_authority(named)
            assert resolved.codes == (code,) or (
                resolved.standing is Standing.HOME and code in resolved.codes
            ), named


def test_every_police_force_is_known_by_its_code_name_and_gss_code() -> None:
    for code, force in NATIONAL.police_forces.items():
        written = [code, force.name, force.name.upper(), f"The {force.name}"]
        written += [force.gss] if force.gss else []
        for named in written:
            assert DIRECTORY.resolve_force(named) == code, named
