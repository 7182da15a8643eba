"""The gap agent predicts from the engagement's model and says why."""

from sqlalchemy import select

from core.enhancement.agents import GapAnalysisSpecialist
from core.enhancement.selection import SelectedGap
from db.models import Asset

BASE = {"network_zone": "internal", "virtualization_platform": "vmware"}


def test_the_agent_explains_its_prediction_with_the_cluster_it_leaned_on(
    db, tenant, make_assets, uow_of
):
    prod = make_assets(
        tenant, 6, business_owner="Noor Haddad", custom_attributes={**BASE, "cluster": "PROD-A"}
    )
    make_assets(
        tenant, 9, business_owner="Tom Becker", custom_attributes={**BASE, "cluster": "DEV-B"}
    )
    gap_asset = make_assets(
        tenant, 1, business_owner=None, custom_attributes={**BASE, "cluster": "PROD-A"}
    )[0]
    agent = GapAnalysisSpecialist(tenant.client_account_id, tenant.engagement_id)
    gap = SelectedGap(field_name="business_owner", gap_type="missing", asset_id=gap_asset.id)

    with uow_of(tenant) as uow:
        agent.prepare(uow, [gap])
        enhanced = agent.enhance_gap(uow, gap)

    assert enhanced["predicted_value"] == "Noor Haddad"
    evidence = enhanced["ai_suggestions"]
    assert (
        evidence["evidence"] == "6 of 6 servers in cluster PROD-A have business owner Noor Haddad"
    )
    assert set(evidence["supporting_asset_ids"]) == {str(asset.id) for asset in prod}
    assert 0 < enhanced["confidence_score"] <= 1
    assert evidence["evidence"] in enhanced["suggested_resolution"]


def test_answers_written_back_are_learned_from_by_the_next_job(db, tenant, make_assets, uow_of):
    make_assets(tenant, 3, technical_owner="Lee Park", custom_attributes={**BASE, "cluster": "C1"})
    gap_asset = make_assets(
        tenant, 1, technical_owner=None, custom_attributes={**BASE, "cluster": "C2"}
    )[0]
    answered = make_assets(
        tenant, 4, technical_owner=None, custom_attributes={**BASE, "cluster": "C2"}
    )
    agent = GapAnalysisSpecialist(tenant.client_account_id, tenant.engagement_id)
    gap = SelectedGap(field_name="technical_owner", gap_type="missing", asset_id=gap_asset.id)
    with uow_of(tenant) as uow:
        agent.prepare(uow, [gap])
        assert agent.enhance_gap(uow, gap)["predicted_value"] == "Lee Park"

    for asset in answered:  # owners answer for the other hosts of cluster C2
        db.get(Asset, asset.id).technical_owner = "Ivy Chen"
    db.commit()

    with uow_of(tenant) as uow:
        agent.prepare(uow, [gap])
        enhanced = agent.enhance_gap(uow, gap)
    assert enhanced["predicted_value"] == "Ivy Chen"
    assert "cluster C2" in enhanced["ai_suggestions"]["evidence"]


def test_the_platform_follows_the_tool_an_asset_was_imported_from(db, tenant, uow_of):
    from core.inventory.importer import import_assets
    from tests.core.inventory_files import to_csv
    from tests.factories import in_uow

    header = ["Name", "Type", "Hypervisor"]
    vmware = [[f"vm-{i}", "virtual_machine", "vmware"] for i in range(6)]
    cloud = [[f"ec2-{i}", "virtual_machine", "kvm"] for i in range(4)] + [
        ["ec2-new", "virtual_machine", ""]
    ]
    in_uow(db, tenant, import_assets, to_csv(header, vmware), "rvtools_vinfo.csv")
    in_uow(db, tenant, import_assets, to_csv(header, cloud), "aws_instances.csv")
    gap_asset = db.scalars(select(Asset).where(Asset.name == "ec2-new")).one()
    agent = GapAnalysisSpecialist(tenant.client_account_id, tenant.engagement_id)
    gap = SelectedGap(
        field_name="virtualization_platform", gap_type="missing", asset_id=gap_asset.id
    )

    with uow_of(tenant) as uow:
        agent.prepare(uow, [gap])
        enhanced = agent.enhance_gap(uow, gap)

    assert enhanced["predicted_value"] == "kvm"  # not vmware, the engagement's majority
    assert enhanced["ai_suggestions"]["evidence"] == (
        "4 of 4 VMs in source file aws_instances.csv have virtualization platform kvm"
    )


def test_a_large_engagement_is_learnt_from_a_sample_and_only_for_the_job_s_attributes(
    db, tenant, make_assets, uow_of, monkeypatch
):
    from config.settings import get_settings
    from core.enhancement.training_sample import training_sample

    monkeypatch.setenv("PREDICTION_TRAINING_ASSETS", "1000")
    get_settings.cache_clear()
    make_assets(tenant, 700, business_owner="Noor Haddad", custom_attributes={"cluster": "A"})
    make_assets(tenant, 400, business_owner="Tom Becker", custom_attributes={"cluster": "B"})
    everyone = db.scalars(select(Asset.id)).all()
    chosen, _ = training_sample(everyone, 1000)
    # A gap on an asset the sample left out: it is read for the job all the same.
    outside = next(
        asset_id
        for asset_id in sorted(set(everyone) - set(chosen))
        if db.get(Asset, asset_id).custom_attributes["cluster"] == "B"
    )
    db.get(Asset, outside).business_owner = None
    db.commit()
    agent = GapAnalysisSpecialist(tenant.client_account_id, tenant.engagement_id)
    gap = SelectedGap(field_name="business_owner", gap_type="missing", asset_id=outside)

    try:
        with uow_of(tenant) as uow:
            agent.prepare(uow, [gap])
            enhanced = agent.enhance_gap(uow, gap)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    model = agent._model
    assert model is not None and model.sampled
    assert [record.asset_id for record in model.records] == chosen
    assert set(model.attributes) == {"business_owner"}
    assert enhanced["predicted_value"] == "Tom Becker"
    assert "sampled servers in cluster B" in enhanced["ai_suggestions"]["evidence"]
