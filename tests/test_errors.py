"""The hub's one vocabulary of failure (hub.errors) and the retry policies that name which
kinds they retry (hub.retrying)."""

from __future__ import annotations

import asyncio

import psycopg
import psycopg.errors
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumber,
)
from sqlalchemy.exc import OperationalError

from hub.contracts.problems import BadMessage, Problem
from hub.errors import Failure, classify, failure_of
from hub.retrying import OUTAGES, ROUNDS, until_done
from hub.routing.facts import ProtocolViolation


def test_a_message_a_contract_or_the_protocol_refuses_is_bad_input() -> None:
    assert classify(BadMessage([Problem("data.child_id", "Field required")])) is Failure.BAD_INPUT
    assert classify(ProtocolViolation("episode_id", "no such episode")) is Failure.BAD_INPUT


def test_a_broker_that_says_try_again_is_transient_and_one_that_refuses_is_not() -> None:
    assert classify(KafkaConnectionError()) is Failure.TRANSIENT
    assert classify(KafkaTimeoutError()) is Failure.TRANSIENT
    assert classify(OutOfOrderSequenceNumber()) is Failure.TRANSIENT  # once replaced
    assert classify(MessageSizeTooLargeError()) is Failure.BUG
    assert failure_of(KafkaConnectionError()) == "broker unavailable: KafkaConnectionError"


def test_anything_else_is_a_bug_named_by_its_type_only() -> None:
    error = KeyError("Jordan Example")
    assert classify(error) is Failure.BUG
    assert failure_of(error) == "KeyError"


def test_a_statement_past_a_limit_of_postgresql_is_a_bug_not_an_outage() -> None:
    too_large = psycopg.errors.ProgramLimitExceeded("index row size exceeds maximum")
    wrapped = OperationalError("INSERT", {}, too_large)
    assert classify(too_large) is Failure.BUG
    assert classify(wrapped) is Failure.BUG
    assert failure_of(wrapped) == "database error: ProgramLimitExceeded"
    dropped = OperationalError("INSERT", {}, psycopg.OperationalError("server closed"))
    assert classify(dropped) is Failure.TRANSIENT


async def test_waiting_out_outages_does_not_retry_a_bug() -> None:
    calls = 0

    async def buggy() -> None:
        nonlocal calls
        calls += 1
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        await until_done("a bug", buggy, asyncio.Event(), OUTAGES)
    assert calls == 1


async def test_a_round_is_tried_again_after_a_bug_and_an_outage() -> None:
    failures: list[Exception] = [KeyError("a bug"), KafkaConnectionError()]

    async def flaky() -> str:
        if failures:
            raise failures.pop(0)
        return "done"

    assert await until_done("a round", flaky, asyncio.Event(), ROUNDS) == "done"


async def test_bad_input_is_never_retried_even_by_a_round() -> None:
    calls = 0

    async def refused() -> None:
        nonlocal calls
        calls += 1
        raise BadMessage([Problem("ce_type", "unknown")])

    with pytest.raises(BadMessage):
        await until_done("bad input", refused, asyncio.Event(), ROUNDS)
    assert calls == 1
