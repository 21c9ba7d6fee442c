"""Which of the child's particulars each recipient receives with each duty: the data policy.

The default is package data (hub/data/data-policy.yaml), each choice with the paragraph that
justifies it; a deployment may change any entry in its own file (`data_policy:`). Whatever
it chooses, the protocol's minimum (`NEEDS`) stays: a host force is never sent a search for
a child it cannot identify."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, cached_property
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.contracts.actions import Action, Recipient
from hub.contracts.notification import Detail
from hub.contracts.particulars import PARTICULARS, Particular

POLICY_DATA = "data-policy.yaml"  # package data of `hub.data`

_IDENTITY: tuple[Particular, ...] = ("name", "date_of_birth", "sex")

# The protocol's minimum for a recipient outside the home authority: what it cannot do its
# duty without, whatever a deployment's policy says. The home teams find the child on their
# record by `child_id`; another force or authority cannot. Keyed by recipient and action;
# an action of None is every action of that recipient.
_REACH_US: tuple[Particular, ...] = (*_IDENTITY, "placing_authority", "placing_authority_contact")
NEEDS: dict[tuple[Recipient, Action | None], tuple[tuple[Particular, ...], str]] = {
    (Recipient.HOST_POLICE, None): (
        _REACH_US,
        "3.9, 5.1, 5.12 (Prevention Interview): the force where the child is placed acts for "
        "a child it does not know, and calls the placing authority",
    ),
    (Recipient.HOST_POLICE, Action.CHILD_MISSING_IN_YOUR_AREA): (
        (*_REACH_US, "last_seen_place", "last_seen_at", "risk_level", "cse_risk"),
        "3.9, 8.3: the force where the child is placed searches for the child: where and "
        "when last seen, and how at risk",
    ),
    (Recipient.HOST_POLICE, Action.ATTEND_WITHOUT_DELAY): (
        (*_REACH_US, "found_where"),
        "5.1: the force where the child is placed attends without delay a child it does not "
        "know, found on a report it did not make: where the child was found",
    ),
    (Recipient.POLICE, Action.ATTEND_WITHOUT_DELAY): (
        (*_IDENTITY, "found_where"),
        "5.1, 3.9.1: the force the child was reported to attends without delay, and need not "
        "be the force that found the child: where the child was found",
    ),
    (Recipient.HOST_AUTHORITY, None): (
        _REACH_US,
        "7.14, 8.3, 8.4: the host authority acts with the placing authority for a child it "
        "may never have met: it must identify the child and reach the placing authority",
    ),
    (Recipient.PLACING_AUTHORITY, None): (
        ("name", "date_of_birth", "host_authority", "host_authority_contact"),
        "8.10-8.12: the placing authority matches the child to its own record and must reach us",
    ),
    (Recipient.HOME_OFFICE, None): (_IDENTITY, "4.3: the Home Office must identify the child"),
    # The reporting force may be another than the home authority's (3.9.1, 5.18).
    (Recipient.POLICE, None): (
        _IDENTITY,
        "3.9.1, 5.18: a force must match the child to its own record",
    ),
}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Disclosure(_Strict):
    """The particulars one recipient receives with one action, and why."""

    fields: tuple[Particular, ...]
    why: str = Field(pattern=r"\S", description="the paragraph behind the choice, and why")


class RecipientPolicy(_Strict):
    default: Disclosure
    actions: dict[Action, Disclosure] = {}


class DataPolicy(_Strict):
    """Every recipient's particulars: its default and, per action, any other choice."""

    source: str = Field(min_length=1, description="who decided this policy, and when")
    sets: dict[str, tuple[Particular, ...]] = Field(
        default_factory=dict, description="named lists of particulars, used in `fields`"
    )
    recipients: dict[Recipient, RecipientPolicy]

    @model_validator(mode="before")
    @classmethod
    def _expand_sets(cls, data: Any) -> Any:
        """`fields: [identity, risk_level]`: a set's name stands for its particulars."""
        return with_sets_expanded(data)

    @model_validator(mode="after")
    def _complete_and_enough(self) -> DataPolicy:
        missing = [r.value for r in Recipient if r not in self.recipients]
        if missing:
            raise ValueError(f"recipients: no policy for {', '.join(missing)}")
        for (recipient, action), (needs, why) in NEEDS.items():
            policy = self.recipients[recipient]
            # Named by the key the policy file gives the entry (docs/notifications.md).
            entries = (
                {_key_of(policy, action): policy.actions.get(action, policy.default)}
                if action is not None
                else {
                    "default": policy.default,
                    **{f"actions.{a.value}": d for a, d in policy.actions.items()},
                }
            )
            for where, disclosure in entries.items():
                withheld = [n for n in needs if n not in disclosure.fields]
                if withheld:
                    raise ValueError(
                        f"recipients.{recipient.value}.{where}.fields: withholds "
                        f"{', '.join(withheld)}, which the duty needs ({why})"
                    )
        return self

    @cached_property
    def _table(self) -> dict[tuple[str, str], tuple[Particular, ...]]:
        return {
            (recipient.value, action.value): disclosure.fields
            for recipient, policy in self.recipients.items()
            for action, disclosure in policy.actions.items()
        }

    @cached_property
    def _defaults(self) -> dict[str, tuple[Particular, ...]]:
        return {
            recipient.value: policy.default.fields for recipient, policy in self.recipients.items()
        }

    def disclosed(self, recipient: str, action: str) -> tuple[Particular, ...]:
        """The particulars this recipient receives with this action."""
        fields = self._table.get((recipient, action))
        return fields if fields is not None else self._defaults[recipient]

    def pick(self, recipient: str, action: str, known: Mapping[str, Detail]) -> dict[str, Detail]:
        """Of everything known of the child, what this recipient receives with this action."""
        return {name: known[name] for name in self.disclosed(recipient, action)}


def _key_of(policy: RecipientPolicy, action: Action) -> str:
    """The entry an action of this recipient is read from: its own, or the default."""
    return f"actions.{action.value}" if action in policy.actions else "default"


def with_sets_expanded(data: Any) -> Any:
    """A policy document whose entries name particulars only: each set's name replaced by
    the particulars the document's `sets` give it. A set may not take a particular's name
    (it would stand for more than that particular wherever the particular is named)."""
    if not isinstance(data, dict) or not isinstance(data.get("sets", {}), dict):
        return data
    sets: dict[str, list[str]] = data.get("sets") or {}
    clashing = [name for name in sets if name in PARTICULARS]
    if clashing:
        raise ValueError(f"sets.{clashing[0]}: is the name of a particular, not of a set")

    def expand(disclosure: Any) -> Any:
        if not isinstance(disclosure, dict) or not isinstance(disclosure.get("fields"), list):
            return disclosure
        fields: list[str] = []
        for name in disclosure["fields"]:
            for particular in sets.get(name, [name]) if isinstance(name, str) else [name]:
                if particular not in fields:
                    fields.append(particular)
        return {**disclosure, "fields": fields}

    recipients = data.get("recipients")
    if not isinstance(recipients, dict):
        return data
    expanded = {}
    for role, policy in recipients.items():
        if isinstance(policy, dict):
            actions = policy.get("actions") or {}
            policy = {
                **policy,
                "default": expand(policy.get("default")),
                "actions": {a: expand(d) for a, d in actions.items()}
                if isinstance(actions, dict)
                else actions,
            }
        expanded[role] = policy
    return {**data, "recipients": expanded}


@cache
def default_policy_document() -> dict[str, Any]:
    """The package's default, read once (treated as read-only)."""
    text = resources.files("hub.data").joinpath(POLICY_DATA).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    assert isinstance(document, dict), f"{POLICY_DATA}: not a mapping"
    return document


def with_changes(default: dict[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    """A deployment's `data_policy:` over the default: its sets and entries replace the
    default's of the same name, its sets standing for their particulars in its own entries
    only; everything else is kept as the default gives it."""
    if not changes:
        return default
    if not isinstance(changes, dict):
        return changes  # refused, naming itself, when validated
    # The default's entries read with the default's sets: a set the deployment names anew
    # is for its own entries, and widens no other recipient's (3.9, 8.3: a host force sent
    # the circumstances because our MCT's `episode` took them).
    default = with_sets_expanded(default)
    recipients = {role: dict(policy) for role, policy in default["recipients"].items()}
    for role, policy in (changes.get("recipients") or {}).items():
        mine = recipients.setdefault(role, {})
        if not isinstance(policy, dict):
            recipients[role] = policy
            continue
        if "default" in policy:
            mine["default"] = policy["default"]
        if "actions" in policy:
            mine["actions"] = {**(mine.get("actions") or {}), **(policy["actions"] or {})}
        mine.update({k: v for k, v in policy.items() if k not in ("default", "actions")})
    return {
        **default,
        **{k: v for k, v in changes.items() if k not in ("sets", "recipients")},
        "sets": {**default.get("sets", {}), **(changes.get("sets") or {})},
        "recipients": recipients,
    }
