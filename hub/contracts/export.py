"""Generate the published contract files from the models: one JSON Schema per message
and an AsyncAPI 3 document of every topic. `hub contracts export` writes them;
a test fails when the checked-in files drift from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from hub.contracts.actions import FACTS, Action, Recipient
from hub.contracts.data_policy import NEEDS, DataPolicy, default_policy_document
from hub.contracts.registry import CONTRACTS, NOTIFICATION, REJECTED_TOPIC, Contract

SCHEMA_BASE = "https://missing-children-hub.example/contracts/schemas/"


def json_schema(contract: Contract) -> dict[str, Any]:
    schema = contract.model.model_json_schema(mode="validation")
    if contract is NOTIFICATION:
        schema = _with_facts_per_action(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE + contract.schema_file,
        "x-cloudevents-type": contract.ce_type,
        **schema,
    }


def _with_facts_per_action(schema: dict[str, Any]) -> dict[str, Any]:
    """The notification's `details` are its action's facts: one schema per action in
    `$defs`, chosen by `action` (if/then), so a receiver can validate what arrives."""
    models = sorted(set(FACTS.values()), key=lambda model: model.__name__)
    _, facts = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/$defs/{model}"
    )
    by_action = [
        {
            "if": {"properties": {"action": {"const": action.value}}, "required": ["action"]},
            "then": {"properties": {"details": {"$ref": f"#/$defs/{FACTS[action].__name__}"}}},
        }
        for action in Action
    ]
    return {**schema, "$defs": {**schema.get("$defs", {}), **facts["$defs"]}, "allOf": by_action}


def action_schemas() -> dict[str, Any]:
    """Each action's facts, by action code, for the AsyncAPI document."""
    return {
        action.value: {
            "description": f"The `details` of a notification whose action is {action.value}.",
            "$ref": f"schemas/{NOTIFICATION.schema_file}#/$defs/{FACTS[action].__name__}",
        }
        for action in Action
    }


_CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka binary mode: attributes as ce_* headers.",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "The event id; resends reuse it."},
        "ce_source": {"type": "string", "description": "URI-reference of the sender."},
        "ce_type": {"type": "string"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_dataschema": {"type": "string"},
        "ce_partitionkey": {"type": "string", "description": "The child's id (= key)."},
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {
            "type": "string",
            "description": "W3C Trace Context of the span that sent it, when the sender "
            "traces (the hub does when OpenTelemetry is configured); optional, never needed.",
        },
        "tracestate": {"type": "string", "description": "W3C Trace Context; optional."},
    },
}


def _message(contract: Contract) -> dict[str, Any]:
    headers = json.loads(json.dumps(_CE_HEADERS))
    headers["properties"]["ce_type"]["const"] = contract.ce_type
    return {
        "name": contract.name,
        "title": contract.model.__name__,
        "summary": (contract.model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " "),
        "contentType": "application/json",
        "headers": headers,
        "payload": {"$ref": f"schemas/{contract.schema_file}"},
        "bindings": {
            "kafka": {"key": {"type": "string", "description": "The child's id."}},
        },
    }


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in CONTRACTS:
        channel = contract.topic.replace(".", "-")
        messages[contract.name] = _message(contract)
        channels[channel] = {
            "address": contract.topic,
            "description": f"Published by {contract.publisher}; consumed by the hub.",
            "messages": {contract.name: {"$ref": f"#/components/messages/{contract.name}"}},
        }
        operations[f"send-{contract.name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"{contract.publisher} sends a {contract.model.__name__}.",
        }
    messages[NOTIFICATION.name] = _message(NOTIFICATION)
    channels["notify"] = {
        "address": "notify.{authority}.{recipient}",
        "description": "One topic per recipient role and authority; the hub publishes "
        "one notification per duty. Key: the child's id.",
        "parameters": {
            "authority": {"description": "Directory code of the recipient's authority."},
            "recipient": {
                "description": "The recipient's role.",
                "enum": [recipient.value for recipient in Recipient],
            },
        },
        "messages": {"notification": {"$ref": "#/components/messages/notification"}},
    }
    operations["receive-notification"] = {
        "action": "receive",
        "channel": {"$ref": "#/channels/notify"},
        "summary": "A recipient reads its notifications.",
    }
    channels["rejected"] = {
        "address": REJECTED_TOPIC,
        "description": "Messages the hub could not accept, keyed as they arrived, with the "
        "reason per field. Senders read this to find and fix their message.",
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Missing Children Integration Hub",
            "version": "1.0.0",
            "description": "Events about missing children in, notifications per duty out, "
            "under the multi-agency missing children protocol.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": action_schemas()},
    }


def asyncapi_yaml() -> str:
    """The AsyncAPI document as contracts/asyncapi.yaml holds it."""
    return yaml.safe_dump(asyncapi(), sort_keys=False, width=100)


def _facts_line(action: Action) -> str:
    model = FACTS[action]
    fields = [
        f"`{name}`" + ("" if field.is_required() else " (optional)")
        for name, field in model.model_fields.items()
    ]
    return f"| `{action.value}` | {', '.join(fields) or 'none'} | `{model.__name__}` |"


def notifications_reference() -> str:
    """What arrives with each action, and what each recipient is told of the child under the
    default data policy: the reference for a receiving system's developer."""
    policy = DataPolicy.model_validate(default_policy_document())
    lines = [
        "# What each notification carries",
        "",
        "Generated by `hub contracts export` from `hub/contracts/actions.py` and the default",
        "data policy (`hub/data/data-policy.yaml`); a test fails if it drifts. The schema of",
        f"every action's `details` is in `schemas/{NOTIFICATION.schema_file}` (`$defs`, chosen",
        "by `action`) and in `asyncapi.yaml` (`components.schemas`). See docs/notifications.md.",
        "",
        "## `details`: the facts of each action",
        "",
        "| action | fields | schema |",
        "| --- | --- | --- |",
        *(_facts_line(action) for action in Action),
        "",
        "## `child`: what each recipient is told, under the default policy",
        "",
        "A deployment may change an entry (`data_policy:` in its file), but never withhold",
        "what a recipient outside the home authority needs (marked *needed*).",
        "",
        "| recipient | action | particulars | why |",
        "| --- | --- | --- | --- |",
    ]
    for recipient, entry in policy.recipients.items():
        for action, disclosure in (("(default)", entry.default), *entry.actions.items()):
            keys = [
                (recipient, None),
                *([(recipient, action)] if isinstance(action, Action) else []),
            ]
            needed = {particular for key in keys for particular in NEEDS.get(key, ((), ""))[0]}
            shown = [f"*{f}*" if f in needed else f for f in disclosure.fields] or ["none"]
            which = f"`{action.value}`" if isinstance(action, Action) else action
            why = " ".join(disclosure.why.split()).replace("|", "/")
            lines.append(f"| `{recipient.value}` | {which} | {', '.join(shown)} | {why} |")
    return "\n".join(lines) + "\n"


def rendered(root: Path) -> dict[Path, str]:
    """Every contract file, as text, keyed by its path under `root`."""
    files: dict[Path, str] = {}
    for contract in (*CONTRACTS, NOTIFICATION):
        text = json.dumps(json_schema(contract), indent=2, sort_keys=True) + "\n"
        files[root / "schemas" / contract.schema_file] = text
    files[root / "asyncapi.yaml"] = asyncapi_yaml()
    files[root / "notifications.md"] = notifications_reference()
    return files


def export(root: Path) -> list[Path]:
    written = []
    for path, text in rendered(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written


def drift(root: Path) -> list[Path]:
    """The files under `root` that differ from what the models generate."""
    return [p for p, text in rendered(root).items() if not p.exists() or p.read_text() != text]
