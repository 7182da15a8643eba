"""The prediction model: conditional on what is known, with evidence a person can check."""

import random
import uuid

from core.enhancement.calibration import expected_calibration_error
from core.enhancement.features import AssetRecord
from core.enhancement.predictor import PredictionModel


def vm(name: str, values: dict | None = None, **context: str) -> AssetRecord:
    return AssetRecord(uuid.uuid4(), name, "virtual_machine", values or {}, context)


def test_os_version_is_predicted_from_the_os_family_not_from_all_hosts():
    records = [
        vm(f"lin{i}", {"operating_system": "Linux", "os_version": "RHEL 8"}) for i in range(12)
    ]
    records += [
        vm(f"win{i}", {"operating_system": "Windows", "os_version": "Windows Server 2019"})
        for i in range(6)
    ]
    model = PredictionModel.train(records)

    prediction = model.predict(vm("new", {"operating_system": "Windows"}), "os_version")

    assert prediction is not None and prediction.value == "Windows Server 2019"
    assert prediction.sentence == (
        "6 of 6 VMs with operating system family Windows have operating system version"
        " Windows Server 2019"
    )


def test_environment_follows_the_naming_convention_and_names_its_token():
    records = [vm(f"crm-prd-{i:02d}", {"environment": "production"}) for i in range(10)]
    records += [vm(f"crm-dev-{i:02d}", {"environment": "development"}) for i in range(14)]

    prediction = PredictionModel.train(records).predict(vm("pay-prd-77"), "environment")

    assert prediction is not None and prediction.value == "production"
    assert prediction.sentence == "hostname token 'prd' → production, 10 of 10 VMs"
    assert prediction.basis == "hostname token 'prd'"


def test_owners_come_from_the_cluster_with_the_assets_leaned_on():
    prod = [vm(f"a{i}", {"business_owner": "Noor Haddad"}, cluster="PROD-A") for i in range(14)]
    stray = [vm(f"b{i}", {"business_owner": "Tom Becker"}, cluster="PROD-A") for i in range(2)]
    other = [vm(f"c{i}", {"business_owner": "Tom Becker"}, cluster="DEV-B") for i in range(20)]
    model = PredictionModel.train(prod + stray + other)

    prediction = model.predict(vm("x", cluster="PROD-A"), "business_owner")

    assert prediction is not None and prediction.value == "Noor Haddad"
    assert prediction.sentence == "14 of 16 VMs in cluster PROD-A have business owner Noor Haddad"
    assert set(prediction.supporting_asset_ids) <= {record.asset_id for record in prod}
    assert len(prediction.supporting_asset_ids) == 10
    assert prediction.alternatives == (("Tom Becker", 2),)
    assert prediction.evidence()["evidence"] == prediction.sentence


def test_without_any_peer_value_there_is_no_prediction():
    model = PredictionModel.train([vm("a", {"environment": "production"})])
    assert model.predict(vm("b"), "business_owner") is None


def test_a_key_unique_to_every_asset_is_not_a_grouping():
    records = [
        vm(f"h{i}", {"environment": "production" if i % 3 else "test"}, ip=f"10.0.0.{i}")
        for i in range(30)
    ]
    model = PredictionModel.train(records)
    assert "ip" not in model.grouping
    prediction = model.predict(vm("h99", ip="10.0.0.3"), "environment")
    assert prediction is not None and prediction.basis == "asset type"


def test_a_feature_that_says_nothing_loses_to_the_asset_type():
    rng = random.Random(3)
    records = [
        vm(
            f"{rng.choice(('alpha', 'beta'))}-{i}",
            {"environment": rng.choice(["production"] * 4 + ["test"])},
        )
        for i in range(200)
    ]
    prediction = PredictionModel.train(records).predict(vm("alpha-999"), "environment")
    assert prediction is not None and prediction.value == "production"


def test_confidence_is_the_measured_probability_of_being_right():
    rng = random.Random(11)

    def inventory(size: int) -> list[AssetRecord]:
        # Cluster A hosts are production 90 % of the time, cluster B test 60 %.
        found = []
        for i in range(size):
            cluster = rng.choice(("A", "B"))
            odds = 0.9 if cluster == "A" else 0.6
            main, other = ("production", "test") if cluster == "A" else ("test", "production")
            found.append(
                vm(
                    f"h{i}",
                    {"environment": main if rng.random() < odds else other},
                    cluster=cluster,
                )
            )
        return found

    model = PredictionModel.train(inventory(3000))
    outcomes = []
    for record in inventory(3000):
        prediction = model.predict(
            vm(record.name, cluster=record.context["cluster"]), "environment"
        )
        assert prediction is not None
        outcomes.append((prediction.confidence, prediction.value == record.values["environment"]))

    assert expected_calibration_error(outcomes) < 0.05
    by_cluster = {c for c, _ in outcomes}
    assert len(by_cluster) == 2 and max(by_cluster) > 0.8 and min(by_cluster) < 0.7


def test_criticality_that_follows_application_and_environment_together_names_both():
    criticality = {"billing": "high", "crm": "critical", "wiki": "medium", "hr": "high"}
    records = []
    for number in range(240):
        app = sorted(criticality)[number % 4]
        env = ("production", "development", "test")[number % 3]
        value = criticality[app] if env == "production" else "low"
        records.append(
            vm(f"h{number}", {"environment": env, "business_criticality": value}, application=app)
        )
    model = PredictionModel.train(records)

    prediction = model.predict(
        vm("new", {"environment": "production"}, application="billing"), "business_criticality"
    )

    assert prediction is not None and prediction.value == "high"
    assert prediction.sentence == (
        "20 of 20 VMs in application billing with environment production have business"
        " criticality high"
    )
    assert prediction.basis == "application billing with environment production"


def test_held_out_assets_lose_the_values_that_go_missing_together_with_the_target():
    # Half the assets come from a tool without owner and environment columns.
    full = [
        vm(f"a{i}", {"business_owner": "Ada", "environment": "test", "network_zone": "dmz"})
        for i in range(20)
    ]
    bare = [vm(f"b{i}", {"network_zone": "dmz"}) for i in range(20)]

    model = PredictionModel.train(full + bare)

    # An asset lacking an owner lacks its environment too: held out, owners' assets lose it.
    assert model.extra_gaps("business_owner")["environment"] == 1.0
    assert "network_zone" not in model.extra_gaps("business_owner")  # known everywhere


def test_a_name_is_heard_where_the_os_columns_that_go_with_the_os_are_missing_too():
    # An export without the OS lacks its raw OS column too; held out with that column kept,
    # the column alone would be chosen, and a VM without it would get the cluster's majority.
    rng = random.Random(3)
    assets = []
    for i in range(60):
        cluster = "CL-INFRA" if rng.random() < 0.8 else "CL-LNX"
        assets.append(vm(f"dc{i:02d}", {"operating_system": "Windows"}, cluster=cluster,
                         os_name=rng.choice(("Windows 2019", "Windows 2022"))))  # fmt: skip
    for i in range(140):
        cluster = "CL-LNX" if rng.random() < 0.9 else "CL-INFRA"
        assets.append(vm(f"web{i:02d}", {"operating_system": "Linux"}, cluster=cluster,
                         os_name=rng.choice(("RHEL 8", "RHEL 9"))))  # fmt: skip
    assets += [vm(f"app{i:02d}", cluster="CL-LNX") for i in range(40)]  # no OS columns
    model = PredictionModel.train(assets)

    assert model.extra_gaps("operating_system")["os_name"] == 1.0
    guess = model.predict(vm("ad-dc-02", cluster="CL-LNX"), "operating_system")
    assert guess is not None and guess.value == "Windows"


def test_an_attribute_is_trained_when_first_asked_for_and_predicts_as_if_trained_with_all():
    rng = random.Random(8)
    records = [
        vm(
            f"{app}-{env}-{i}",
            {"environment": env, "business_owner": f"owner of {app}"},
            application=app,
        )
        for i in range(300)
        for app, env in [(rng.choice(("crm", "hr")), rng.choice(("production", "test")))]
    ]
    asked = vm("crm-new", application="crm")

    model = PredictionModel.train(records, attributes=["environment"])

    assert set(model.attributes) == {"environment"}
    alone = model.predict(asked, "business_owner")
    assert set(model.attributes) == {"environment", "business_owner"}
    assert alone == PredictionModel.train(records).predict(asked, "business_owner")
