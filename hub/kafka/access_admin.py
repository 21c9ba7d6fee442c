"""Users and ACLs on the cluster, through aiokafka (the hub's one Kafka client): aiokafka
speaks the ACL requests (DescribeAcls, CreateAcls) but its admin client has no method for
them, and it has no SCRAM user requests at all. The two SCRAM requests (KIP-554) are
declared here on aiokafka's own protocol types, and everything is sent through its admin
client's connection, so TLS, SASL and retries are the connection's as everywhere else.

Field layouts: Kafka's message definitions (clients/src/main/resources/common/message/
{Describe,Alter}UserScramCredentials{Request,Response}.json, version 0, flexible)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DeleteAclsRequest_v1,
    DescribeAclsRequest_v1,
)
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

from hub.access.plan import Grant, Operation, PatternType, ResourceType
from hub.kafka.topics import NO_ERROR

SCRAM_SHA_512 = 2  # ScramMechanism in Kafka's protocol
ITERATIONS = 8192  # Kafka's minimum for SCRAM-SHA-512 is 4096
ANY = 1  # the "any" value of every ACL filter field
ALLOW = 3


class AccessRefused(RuntimeError):
    """The cluster answered a user or ACL request with an error (naming it, never a password)."""


# Kafka's names; aiokafka is untyped, hence the ignores.
class DescribeUserScramCredentialsResponse_v0(Response):  # type: ignore[misc]
    API_KEY = 50
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        ("error_message", CompactString("utf-8")),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                (
                    "credential_infos",
                    CompactArray(
                        ("mechanism", Int8), ("iterations", Int32), ("tags", TaggedFields)
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class DescribeUserScramCredentialsRequest_v0(RequestStruct):  # type: ignore[misc]
    FLEXIBLE_VERSION = True
    API_KEY = 50
    API_VERSION = 0
    RESPONSE_TYPE = DescribeUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        ("users", CompactArray(("name", CompactString("utf-8")), ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class AlterUserScramCredentialsResponse_v0(Response):  # type: ignore[misc]
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class AlterUserScramCredentialsRequest_v0(RequestStruct):  # type: ignore[misc]
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = AlterUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        (
            "deletions",
            CompactArray(
                ("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields)
            ),
        ),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _Prepared(Request[Any]):  # type: ignore[misc]
    """A request whose one version is already built (aiokafka negotiates by the classes a
    Request lists; these requests have one version each)."""

    API_KEY = 0

    def __init__(self, struct: RequestStruct) -> None:
        self.struct = struct
        self._CLASSES = (type(struct),)

    def build(self, request_struct_class: type[Any]) -> Any:
        return self.struct

    def prepare(self, versions: dict[int, tuple[int, int]]) -> Any:
        low, high = versions.get(self.struct.API_KEY, (0, -1))
        if not low <= self.struct.API_VERSION <= high:
            raise AccessRefused(
                f"the cluster does not accept {type(self.struct).__name__} (Kafka 3.0 or newer)"
            )
        return self.struct


async def _send(admin: AIOKafkaAdminClient, struct: RequestStruct) -> Any:
    return await admin._send_request(_Prepared(struct))  # aiokafka has no public way


def _raise_for(errors: Iterable[tuple[str, int, str | None]]) -> None:
    failed = [
        f"{what}: {for_code(code).__name__}{f' ({message})' if message else ''}"
        for what, code, message in errors
        if code != NO_ERROR
    ]
    if failed:
        raise AccessRefused("; ".join(failed))


def _raise_for_users(response: Any) -> None:
    _raise_for([(f"user {user}", code, message) for user, code, message, _ in response.results])


async def scram_users(admin: AIOKafkaAdminClient) -> set[str]:
    """Every user with a SCRAM-SHA-512 credential on the cluster (a user with only another
    mechanism's could not log in to the hub's brokers, and is given one)."""
    response = await _send(admin, DescribeUserScramCredentialsRequest_v0(None, {}))
    _raise_for([("describing SCRAM users", response.error_code, response.error_message)])
    return {
        user
        for user, error, _, credentials, _ in response.results
        if error == NO_ERROR and any(info[0] == SCRAM_SHA_512 for info in credentials)
    }


async def set_password(admin: AIOKafkaAdminClient, user: str, password: str) -> None:
    """Create the user's SCRAM-SHA-512 credential, or replace it (a rotation). The broker is
    sent the salted password (RFC 5802's Hi()), never the password itself."""
    salt = secrets.token_bytes(32)
    salted = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS)
    upsertion: tuple[object, ...] = (user, SCRAM_SHA_512, ITERATIONS, salt, salted, {})
    response = await _send(admin, AlterUserScramCredentialsRequest_v0([], [upsertion], {}))
    _raise_for_users(response)


async def remove_user(admin: AIOKafkaAdminClient, user: str) -> int:
    """Every ACL naming the user, then its SCRAM credential: it can neither log in nor, if
    a credential were made again by mistake, do anything. Returns the ACLs removed."""
    any_acl_of: tuple[object, ...] = (ANY, None, ANY, f"User:{user}", None, ANY, ANY)
    response = await _send(admin, DeleteAclsRequest_v1([any_acl_of]))
    _raise_for([("removing ACLs", code, message) for code, message, _ in response.filter_responses])
    removed = sum(len(matching) for _, _, matching in response.filter_responses)
    if user in await scram_users(admin):
        deletion: tuple[object, ...] = (user, SCRAM_SHA_512, {})
        answer = await _send(admin, AlterUserScramCredentialsRequest_v0([deletion], [], {}))
        _raise_for_users(answer)
    return removed


async def existing_grants(admin: AIOKafkaAdminClient) -> set[Grant]:
    """Every ALLOW ACL on the cluster, as grants."""
    request = DescribeAclsRequest_v1(ANY, None, ANY, None, None, ANY, ALLOW)
    response = await _send(admin, request)
    _raise_for([("describing ACLs", response.error_code, response.error_message)])
    return {
        Grant(
            principal,
            ResourceType(resource_type).name,
            name,
            PatternType(pattern).name,
            Operation(operation).name,
        )
        for resource_type, name, pattern, acls in response.resources
        for principal, host, operation, permission in acls
        if host == "*"
        and permission == ALLOW
        and resource_type in set(ResourceType)
        and pattern in set(PatternType)
        and operation in set(Operation)  # any other was not granted by a plan
    }


def acl_creation(grant: Grant) -> tuple[int, str, int, str, str, int, int]:
    """A grant as one creation of a CreateAcls request: from any host, allowed."""
    return (
        ResourceType[grant.resource].value,
        grant.name,
        PatternType[grant.pattern].value,
        grant.principal,
        "*",
        Operation[grant.operation].value,
        ALLOW,
    )


async def create_grants(admin: AIOKafkaAdminClient, grants: Sequence[Grant]) -> None:
    creations = [acl_creation(g) for g in grants]
    for start in range(0, len(creations), 500):  # a request well under any size limit
        response = await _send(admin, CreateAclsRequest_v1(creations[start : start + 500]))
        answers = response.creation_responses
        _raise_for([("creating ACLs", code, message) for code, message in answers])
