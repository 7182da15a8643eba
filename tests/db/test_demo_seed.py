"""python -m db seed --demo fills a deterministic demo with flows standing in every phase."""

from sqlalchemy import create_engine, text

from core.kernel.phases import CollectionPhase
from tests.db.cli import run_cli


def test_the_demo_has_every_phase_and_is_deterministic(tmp_path):
    snapshots = []
    for run in ("a", "b"):
        url = f"sqlite:///{tmp_path / run}.db"
        output = run_cli(
            "seed", "--demo", "--assets", "40", "--seed", "3", database_url=url, check=True
        ).stdout
        assert "demo analyst" in output
        engine = create_engine(url)
        with engine.connect() as connection:
            phases = {
                row[0]
                for row in connection.execute(text("SELECT current_phase FROM collection_flows"))
            }
            assets = connection.execute(
                text("SELECT name, operating_system, cpu_cores FROM assets ORDER BY name")
            ).all()
            tenants = connection.execute(text("SELECT count(*) FROM engagements")).scalar()
        engine.dispose()
        assert phases == set(CollectionPhase) - {CollectionPhase.INITIALIZATION}
        assert tenants == 4 and len(assets) == 160
        snapshots.append(assets)
    assert snapshots[0] == snapshots[1]


def test_seeding_twice_leaves_the_data_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    run_cli("seed", "--demo", "--assets", "20", database_url=url, check=True)
    assert "skipped" in run_cli("seed", "--demo", database_url=url, check=True).stdout


def test_a_tiny_inventory_still_seeds(tmp_path):
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    assert (
        "demo admin"
        in run_cli("seed", "--demo", "--assets", "5", database_url=url, check=True).stdout
    )
