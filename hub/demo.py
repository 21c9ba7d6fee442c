"""The demo: the example messages go through the contracts to a real broker and back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from hub.consumers.reader import read_records
from hub.contracts.envelope import from_kafka, parse_structured
from hub.contracts.personal import redacted
from hub.infra.topics import ensure_topics
from hub.producers.publisher import publish


async def run_demo(bootstrap: str, files: Sequence[Path]) -> list[str]:
    events = [parse_structured(path.read_bytes()) for path in files]
    await ensure_topics(bootstrap)
    sent = await publish(bootstrap, events)
    lines = [f"published {len(sent)} example messages to {bootstrap}", ""]
    records = await read_records(bootstrap, [(s.topic, s.partition, s.offset) for s in sent])
    for record in records:
        parsed = from_kafka(record.headers, record.key, record.value)
        headers = {name: value.decode() for name, value in record.headers}
        lines += [
            f"== {record.topic}[{record.partition}]@{record.offset}  key={parsed.key}",
            f"   headers: {json.dumps(headers)}",
            "   body (personal data redacted):",
            *(
                "     " + line
                for line in json.dumps(
                    redacted(parsed.body), indent=2, ensure_ascii=False
                ).splitlines()
            ),
            "",
        ]
    lines.append(
        f"read back {len(records)} of {len(sent)} messages, each valid against its contract"
    )
    return lines
