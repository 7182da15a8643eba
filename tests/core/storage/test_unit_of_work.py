"""The unit of work commits a block, rolls it back on any error, and binds one tenant."""

import pytest
from sqlalchemy import select

from core.kernel.errors import Forbidden
from core.kernel.permissions import Action
from core.storage.unit_of_work import engagement_uow
from db.models import Asset

pytestmark = pytest.mark.both_backends


def _asset(ctx, name: str) -> Asset:
    return Asset(
        client_account_id=ctx.client_account_id,
        engagement_id=ctx.engagement_id,
        name=name,
        asset_type="server",
    )


def test_a_block_that_ends_is_committed(db, session_maker, tenant):
    with engagement_uow(tenant, db) as uow:
        uow.session.add(_asset(tenant, "kept"))
    with session_maker() as other, engagement_uow(tenant, other) as uow:
        assert list(uow.assets.rows_by_name(["kept"], [])) == ["kept"]


def test_a_block_that_raises_leaves_nothing(db, session_maker, tenant):
    with pytest.raises(RuntimeError), engagement_uow(tenant, db) as uow:
        uow.session.add(_asset(tenant, "lost"))
        uow.session.flush()
        raise RuntimeError("crash in the middle of a use case")
    with session_maker() as other:
        assert other.scalars(select(Asset.name)).all() == []


def test_a_nested_block_shares_the_outer_transaction(db, session_maker, tenant):
    uow = engagement_uow(tenant, db)
    with pytest.raises(RuntimeError), uow:
        with uow:
            uow.session.add(_asset(tenant, "inner"))
        raise RuntimeError("the outer block fails after the inner one ended")
    with session_maker() as other:
        assert other.scalars(select(Asset.name)).all() == []


def test_repositories_see_only_the_bound_tenant(db, make_tenant):
    mine, theirs = make_tenant(), make_tenant()
    with engagement_uow(theirs, db) as uow:
        uow.session.add(_asset(theirs, "not mine"))
    with engagement_uow(mine, db) as uow:
        assert not uow.assets.has_assets()


def test_require_reads_the_current_role(db, make_tenant, make_member):
    analyst = make_tenant()
    manager = make_member(analyst, "manager")
    with engagement_uow(manager, db) as uow:
        uow.require(Action.VIEW)
        with pytest.raises(Forbidden):
            uow.require(Action.CREATE_FLOW)
