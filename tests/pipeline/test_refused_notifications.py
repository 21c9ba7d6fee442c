"""In the store, on SQLite and PostgreSQL: a notification still waiting in the outbox for a
topic the directory no longer names when the relay comes to send it (Surrey County Council
retired on 1 April 2027, the hub restarted with East and West Surrey and `surrey` an alias
of both, docs/directory.md) is refused by the relay, which publishes only to the
directory's topics. It was marked refused and never sent: its recipient never heard of the
child, and ops could neither retry it nor route it again. Now it is held as a duty whose
authority has left the directory is, and goes once ops name the council it goes to."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock
from hub.console.actions import route_held_duties
from hub.console.health import deliveries, store_figures
from hub.kafka.connection import KafkaConnection
from hub.producers.relay import Relay
from hub.routing.directory import Alias, Directory
from hub.routing.rerouting import AUTHORITY_GONE
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.service.rerouting import held_duties
from hub.store.models import OutboxMessage, RoutingDecision
from hub.store.outbox import publishable_topic
from tests.pipeline.records import misper_record
from tests.pipeline.scheduling import fired_on_time
from tests.pipeline.test_unbuilt_notifications import (
    DIRECTORY,
    IN_SURREY,
    NOW,
    VESTED,
    _escalations_of,
)

Store = sessionmaker[Session]
TO_SURREY = "notify.surrey.host_authority"  # 3.9's notice to the host authority
# 8.8-8.13: a child Surrey placed here, its placing authority owing a duty.
PLACED_BY_SURREY = misper_record(
    data={
        "responsible_authority": "surrey",
        "residence_authority": "northamptonshire",
        "allocated_worker": None,
        "reporting_force": "northamptonshire-police",
    }
)


def _waiting_for_surrey(store: Store, topic: str = TO_SURREY, report: Record = IN_SURREY) -> str:
    """Surrey's notification queued before the change, and every other notification of the
    report sent: its notification id."""
    apply_batch(store, [report], DIRECTORY, NOW)
    with store.begin() as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.topic != topic).values(status="sent")
        )
        [message_id] = session.scalars(
            select(OutboxMessage.message_id).where(OutboxMessage.topic == topic)
        )
    return message_id.removeprefix("notification:")


async def _relay_round(store: Store, directory: Directory) -> None:
    """One round of `hub run`'s relay, restarted with `directory`: nothing it may publish
    is waiting, so no broker is needed."""
    nowhere = KafkaConnection("127.0.0.1:9")
    unstarted = nowhere.producer()
    relay = Relay(
        store,
        unstarted,
        nowhere,
        ManualClock(NOW),
        publishable=partial(publishable_topic, directory),
        directory=directory,
    )
    try:
        assert await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop()) == 0
    finally:
        await unstarted.stop()


async def test_a_notification_refused_for_a_retired_authority_is_held_then_routed_again(
    store: Store,
) -> None:
    """3.9: the host authority's notice, queued for Surrey County Council before it was
    retired, is held as a duty whose authority has left the directory, naming the code and
    what covers it now; health says "attention" for a duty unroutable, not for a row
    refused. Once ops name West Surrey (`aliases: surrey: {to: [west-surrey]}`), routing it
    again queues it to West Surrey under the id it was logged with."""
    notification_id = _waiting_for_surrey(store)
    await _relay_round(store, VESTED)
    with store() as session:
        figures = store_figures(session, NOW)
    with store() as session:
        [held] = held_duties(session)
        left = list(session.scalars(select(OutboxMessage).where(OutboxMessage.topic == TO_SURREY)))
    assert held.notification_id == notification_id
    assert (held.recipient, held.unroutable_field) == ("host_authority", AUTHORITY_GONE)
    assert (held.unroutable_reason or "").startswith(
        "'surrey', the authority it was decided for, is no longer in the hub's directory (it "
        "now covers east-surrey, west-surrey)"
    )
    assert held.child is not None  # the particulars it is to go with
    assert not left  # not kept as refused, nor sent
    assert (figures.outbox_refused, figures.unroutable) == (0, 1)
    assert deliveries(figures).detail == "1 duty unroutable"

    west = VESTED.model_copy(update={"aliases": {"surrey": Alias(to=("west-surrey",))}})
    report = route_held_duties(store, "ops", west, ManualClock(NOW))
    assert report.routed == {notification_id: "west-surrey"}
    with store() as session:
        [queued] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == "notify.west-surrey.host_authority")
        )
        routed = session.get(RoutingDecision, notification_id)
    assert (queued.message_id, queued.status) == (f"notification:{notification_id}", "pending")
    assert routed is not None
    assert routed.child is None  # routed: the outbox message is the one copy


async def test_its_escalation_says_the_placing_authority_never_received_it(store: Store) -> None:
    """8.10, 8.11: Surrey's duty as the placing authority of a child placed here, refused by
    the relay after its councils vest and held for ops, is owed by no one the directory
    names: left undone it is escalated, as any duty is, but saying its recipient never
    received it. The manager read "Not acknowledged", as if Surrey had ignored it."""
    to_placing = "notify.surrey.placing_authority"
    notification_id = _waiting_for_surrey(store, to_placing, PLACED_BY_SURREY)
    await _relay_round(store, VESTED)
    fired_on_time(store, VESTED, NOW + timedelta(days=3))
    first, *_ = _escalations_of(store, notification_id)
    assert first.summary.startswith(
        "Not done by its deadline, and never received: the hub could not send it (ops hold "
        "it: the directory does not name its recipient)"
    )
