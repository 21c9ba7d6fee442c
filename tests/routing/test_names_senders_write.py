"""A police force or authority named the way real senders name it reaches it, never held as
unknown (docs/directory.md, "How a name a sender wrote is read"; DESIGN.md, "the
directory": a missing child is never refused for something the hub could route around):
a force by its place ("Kent Constabulary", "West Mercia"), and a Welsh authority or force
by its Welsh name ("Caerdydd", "Cyngor Bwrdeistref Sirol Wrecsam", "Heddlu Gogledd
Cymru")."""

from __future__ import annotations

import pytest

from hub.routing.directory import Nation, PoliceForce, Standing, load_national
from tests.routing.builders import DIRECTORY, Timeline, found, misper, told

NATIONAL = load_national()

# What senders write after a force's place (docs/directory.md).
FORCE_WORDS = ("Police", "Constabulary", "County Constabulary", "Police Service", "Police Force")


@pytest.mark.parametrize(
    ("named", "code"),
    [
        ("Kent Constabulary", "kent-police"),
        ("Kent County Constabulary", "kent-police"),
        ("West Mercia", "west-mercia-police"),
        ("West Mercia Constabulary", "west-mercia-police"),
        ("Thames Valley", "thames-valley-police"),
        ("Lancashire Police", "lancashire-police"),
        ("Essex Constabulary", "essex-police"),
        ("Hampshire and Isle of Wight", "hampshire-police"),
        ("Hampshire Constabulary", "hampshire-police"),
        ("The Devon and Cornwall Police Service", "devon-and-cornwall-police"),
        ("Metropolitan Police", "metropolitan-police"),
        ("Met Police", "metropolitan-police"),
        ("the Met", "metropolitan-police"),
        ("City of London Police Force", "city-of-london-police"),
    ],
)
def test_a_police_force_is_known_by_its_place(named: str, code: str) -> None:
    """docs/directory.md: "Police", "Constabulary", "County Constabulary", "Police Service"
    and "Police Force" after a force's place do not matter."""
    assert DIRECTORY.resolve_force(named) == code


@pytest.mark.parametrize(
    ("named", "code"),
    [
        ("Heddlu Gogledd Cymru", "north-wales-police"),
        ("Heddlu De Cymru", "south-wales-police"),
        ("Heddlu Gwent", "gwent-police"),
        ("Heddlu Dyfed-Powys", "dyfed-powys-police"),
        ("Heddlu Dyfed\u2013Powys", "dyfed-powys-police"),
    ],
)
def test_a_welsh_force_is_known_by_its_welsh_name(named: str, code: str) -> None:
    assert DIRECTORY.resolve_force(named) == code


def _place(force: PoliceForce, code: str) -> list[str]:
    """A force's place as senders write it: its code and official name without the words
    after it ("kent-police" -> "kent", "Avon and Somerset Constabulary" -> "Avon and
    Somerset")."""
    places = [code.removesuffix("-police").replace("-", " ")]
    for word in ("Constabulary", "Police"):
        if force.name.endswith(f" {word}"):
            places.append(force.name.removesuffix(f" {word}"))
    return places


@pytest.mark.parametrize("code", sorted(c for c in NATIONAL.police_forces if c.endswith("-police")))
def test_every_force_s_place_is_its_own_and_never_another_s(code: str) -> None:
    """Over the whole national directory: each force's place, followed by any of the words
    senders add, is that force and no other; and never an authority (a police force's name
    is not an authority's)."""
    force = NATIONAL.police_forces[code]
    for place in _place(force, code):
        for word in FORCE_WORDS:
            named = f"{place} {word}"
            assert DIRECTORY.resolve_force(named) == code, named
            assert DIRECTORY.resolve_authority(named).standing is Standing.UNKNOWN, named


def test_an_authority_s_name_is_never_taken_for_its_police_force() -> None:
    """ "Kent" or "Kent County Council" written where a force is asked for is Kent the
    authority, not Kent Police: an answer Kent County Council signs "Kent" stays its own,
    not another agency's. Only a force's words ("Kent Constabulary") make it a force."""
    for code, authority in NATIONAL.authorities.items():
        for named in (code, authority.name, f"{authority.name} County Council"):
            assert DIRECTORY.resolve_force(named) is None, named
    for alias, entry in NATIONAL.aliases.items():
        if entry.to[0] in NATIONAL.authorities:
            assert DIRECTORY.resolve_force(alias) is None, alias


def test_a_place_two_forces_share_is_neither_s() -> None:
    """Only a place one force has alone names it: were a second force's name to reduce to
    the same place, the place would name neither, and the duty is held for ops rather than
    sent to the wrong force."""
    forces = dict(DIRECTORY.reference.police_forces)
    forces["kent-county-police"] = PoliceForce(name="Kent Constabulary", gss=None, nation=None)
    reference = DIRECTORY.reference.model_copy(update={"police_forces": forces})
    directory = DIRECTORY.model_copy(update={"reference": reference})
    assert directory.resolve_force("Kent Police Service") is None
    assert directory.resolve_force("Kent Police") == "kent-police"  # its code, as before


def test_a_report_to_kent_constabulary_sends_the_prevention_interview_to_kent_police() -> None:
    """5.12: the force the child was reported to conducts the prevention interview. Named
    "Kent Constabulary", it reaches Kent Police rather than being held for ops."""
    timeline = Timeline()
    timeline.receive(misper(reporting_force="Kent Constabulary"))
    [interview] = told(timeline.receive(found()), "police", "conduct_prevention_interview")
    assert interview.unroutable is None
    assert interview.authority == "kent-police"


def test_a_report_naming_its_force_by_place_alone_reaches_that_force() -> None:
    """5.12: a MISPER report's `reporting_force` names a force and nothing else: "Kent" or
    "Cheshire" written there is Kent Police or Cheshire Constabulary, not the authority
    (as an answer signed "Kent" is), and the prevention interview reaches it."""
    for named, code in (("Kent", "kent-police"), ("Cheshire", "cheshire-police")):
        timeline = Timeline()
        timeline.receive(misper(reporting_force=named))
        [interview] = told(timeline.receive(found()), "police", "conduct_prevention_interview")
        assert interview.authority == code, named
        assert DIRECTORY.resolve_force(f"{named} County Council", only_forces=True) is None


# Checked against the sources the national directory's header cites (Welsh names).
WELSH_NAMES = [
    # The Welsh names of the principal areas.
    ("Sir Ynys M\u00f4n", "isle-of-anglesey"),
    ("Pen-y-bont ar Ogwr", "bridgend"),
    ("Caerffili", "caerphilly"),
    ("Sir Ceredigion", "ceredigion"),
    ("Sir Gaerfyrddin", "carmarthenshire"),
    ("Caerdydd", "cardiff"),
    ("Sir Ddinbych", "denbighshire"),
    ("Sir y Fflint", "flintshire"),
    ("Sir Fynwy", "monmouthshire"),
    ("Merthyr Tudful", "merthyr-tydfil"),
    ("Castell-nedd Port Talbot", "neath-port-talbot"),
    ("Casnewydd", "newport"),
    ("Sir Benfro", "pembrokeshire"),
    ("Abertawe", "swansea"),
    ("Tor-faen", "torfaen"),
    ("Bro Morgannwg", "vale-of-glamorgan"),
    ("Wrecsam", "wrexham"),
    # Their councils' Welsh names.
    ("Cyngor Sir Ynys M\u00f4n", "isle-of-anglesey"),
    ("Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr", "bridgend"),
    ("Cyngor Bwrdeistref Sirol Blaenau Gwent", "blaenau-gwent"),
    ("Cyngor Bwrdeistref Sirol Caerffili", "caerphilly"),
    ("Cyngor Sir Ceredigion", "ceredigion"),
    ("Cyngor Sir Gaerfyrddin", "carmarthenshire"),
    ("Cyngor Sir G\u00e2r", "carmarthenshire"),
    ("Cyngor Caerdydd", "cardiff"),
    ("Cyngor Dinas Caerdydd", "cardiff"),
    ("Cyngor Bwrdeistref Sirol Conwy", "conwy"),
    ("Cyngor Sir Ddinbych", "denbighshire"),
    ("Cyngor Sir y Fflint", "flintshire"),
    ("Cyngor Sir Gwynedd", "gwynedd"),
    ("Cyngor Gwynedd", "gwynedd"),
    ("Cyngor Sir Fynwy", "monmouthshire"),
    ("Cyngor Bwrdeistref Sirol Merthyr Tudful", "merthyr-tydfil"),
    ("Cyngor Bwrdeistref Sirol Castell-nedd Port Talbot", "neath-port-talbot"),
    ("Cyngor Dinas Casnewydd", "newport"),
    ("Cyngor Sir Penfro", "pembrokeshire"),
    ("Cyngor Sir Powys", "powys"),
    ("Cyngor Bwrdeistref Sirol Rhondda Cynon Taf", "rhondda-cynon-taf"),
    ("Cyngor Sir a Dinas Abertawe", "swansea"),
    ("Cyngor Bwrdeistref Sirol Torfaen", "torfaen"),
    ("Cyngor Bwrdeistref Sirol Bro Morgannwg", "vale-of-glamorgan"),
    ("Cyngor Bwrdeistref Sirol Wrecsam", "wrexham"),
]


@pytest.mark.parametrize(("named", "code"), WELSH_NAMES)
def test_a_welsh_authority_is_known_by_its_welsh_name(named: str, code: str) -> None:
    """docs/directory.md: a Welsh principal area named in Welsh, or as its council names
    itself in Welsh ("Cyngor", "Cyngor Sir", "Cyngor Dinas", "Cyngor Bwrdeistref Sirol",
    "Cyngor Sir a Dinas" before the name), is that authority."""
    assert DIRECTORY.resolve_authority(named).code == code


def test_every_welsh_principal_area_is_known_by_a_welsh_name() -> None:
    welsh = {code for code, a in NATIONAL.authorities.items() if a.nation is Nation.WALES}
    named_in_welsh = {DIRECTORY.resolve_authority(named).code for named, _ in WELSH_NAMES}
    assert welsh <= named_in_welsh


def test_a_welsh_name_is_not_a_force_nor_a_welsh_force_an_authority() -> None:
    assert DIRECTORY.resolve_force("Caerdydd") is None
    assert DIRECTORY.resolve_force("Cyngor Bwrdeistref Sirol Wrecsam") is None
    assert DIRECTORY.resolve_authority("Heddlu Gwent").standing is Standing.UNKNOWN
    assert DIRECTORY.resolve_authority("Heddlu Gogledd Cymru").standing is Standing.UNKNOWN
