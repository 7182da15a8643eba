"""Test data built through the real use cases, and a fingerprint of every table."""

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from config.settings import get_settings
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.reads import list_questionnaires
from core.kernel.context import RequestContext
from core.storage.account_unit_of_work import account_uow
from core.storage.redis_connection import redis_client
from core.storage.unit_of_work import engagement_uow
from db.models import AuditEvent, Base, SignInSession
from db.types import utcnow

T = TypeVar("T")


def in_uow(
    db: Session, ctx: RequestContext, use_case: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """`use_case(uow, *args, **kwargs)` in a unit of work of `ctx` over the test's session."""
    with engagement_uow(ctx, db) as uow:
        return use_case(uow, *args, **kwargs)


def on_accounts(db: Session, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`use_case(uow, *args, **kwargs)` in a unit of work on accounts over the test's session."""
    with account_uow(db) as uow:
        return use_case(uow, *args, **kwargs)


def sign_in_session(db: Session, user_id: uuid.UUID) -> uuid.UUID:
    """A live sign-in session of `user_id` (as signing in starts one), for a context to act under."""
    session = SignInSession(
        user_id=user_id, method="password", expires_at=utcnow() + timedelta(hours=24)
    )
    db.add(session)
    db.commit()
    return session.id


def signed_in_context(
    db: Session, ctx: RequestContext, user_id: uuid.UUID, role: str = "analyst"
) -> RequestContext:
    """The context of `user_id` on the engagement of `ctx`, under a new live sign-in session."""
    return RequestContext(
        ctx.client_account_id,
        ctx.engagement_id,
        user_id=user_id,
        role=role,  # type: ignore[arg-type]
        sign_in_session_id=sign_in_session(db, user_id),
    )


def flow_in_manual_collection(db: Session, ctx: RequestContext, assets, name="Collecting") -> str:
    """A flow of `ctx` (analyst or admin) that scanned `assets` and waits for answers."""
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name=name)
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(asset.id) for asset in assets]}
    )
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    assert in_uow(db, ctx, list_questionnaires, flow_id), "the assets must have gaps to ask about"
    return flow_id


def fingerprint(db: Session, owner_engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every table, read by the owner (who sees every tenant).

    The test's session commits first: whatever a refused call left pending would show.
    """
    db.commit()
    result = {}
    with Session(owner_engine) as owner:
        if owner_engine.dialect.name == "postgresql":
            # Hashed by the server in one statement: a row's text form holds every column.
            for name, count, digest in owner.execute(_PG_FINGERPRINT):
                result[name] = (count, digest)
        else:
            for table in Base.metadata.sorted_tables:
                rows = sorted(repr(tuple(row)) for row in owner.execute(select(table)))
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                result[table.name] = (len(rows), digest)
        owner.rollback()
    return result


_PG_FINGERPRINT = text(
    " UNION ALL ".join(
        f"SELECT '{table.name}', count(*),"
        f" md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {table.name} t"
        for table in Base.metadata.sorted_tables
    )
)


def job_keys(prefix: str | None = None) -> dict[str, object]:
    """Every job and rate-limit key of this test in Redis (SQL job keys are in the fingerprint).

    Values are decoded; a key's remaining lifetime is left out, as it shrinks by itself.
    """
    settings = get_settings()
    if not settings.redis_url:
        return {}
    client = redis_client(settings.redis_url)
    prefix = settings.redis_key_prefix if prefix is None else prefix
    keys = sorted(client.scan_iter(match=f"{prefix}*", count=1000))
    if not keys:
        return {}
    found: dict[str, object] = {}
    for key in keys:
        if client.type(key) == "hash":  # a job key: JSON-encoded fields
            found[key] = {field: json.loads(v) for field, v in client.hgetall(key).items()}
        else:  # a rate limit
            found[key] = client.get(key)
    return found


def flow_key_of(db: Session, ctx: RequestContext, flow_id: str) -> str:
    """The flow's key in the phase runs' store (its collection flow's id)."""
    key = str(CollectionChildFlowService(db, ctx).get_by_master_flow_id(flow_id).id)
    db.rollback()  # on SQLite an open transaction holds the lock the store needs
    return key


def audit_events(db: Session, ctx: RequestContext, action: str) -> list[AuditEvent]:
    """The engagement's audit events of one action."""
    query = select(AuditEvent).where(AuditEvent.action == action)
    return in_uow(db, ctx, lambda uow: list(uow.session.scalars(query)))
