"""Values as the tools write them, cleaned: a Windows build apart from its version, Photon OS's
release from the guest details, RVTools' 1969-12-31 as no date, "Other (64-bit)" as Other, and
a server's short name and FQDN (same IP) as one asset."""

from datetime import datetime

from sqlalchemy import select

from core.inventory.importer import import_assets
from db.models import Asset
from tests.core.inventory.profile_files import RVTOOLS_VINFO, csv_bytes, rvtools_vm
from tests.core.inventory.rvtools_sheets import rvtools_workbook
from tests.factories import in_uow

BUILDS = ["17763.8276", "17763.7009", "17763.6893", "17763.6414", "17763.5936"]


def assets_by_name(db) -> dict[str, Asset]:
    db.expire_all()
    return {asset.name: asset for asset in db.scalars(select(Asset))}


def test_five_windows_builds_are_one_version_each_with_its_build(db, tenant):
    rows = [
        [f"win-{n}", "Microsoft Windows Server 2019 Datacenter", f"Server 2019, (Build {build})"]
        for n, build in enumerate(BUILDS)
    ]
    content = csv_bytes(["Hostname", "Operating System", "OS Version"], rows)

    in_uow(db, tenant, import_assets, content, "servers.csv")

    assets = assets_by_name(db).values()
    assert {asset.os_version for asset in assets} == {"Server 2019"}
    assert sorted(asset.custom_attributes["os_build"] for asset in assets) == sorted(BUILDS)


def test_rvtools_photon_other_and_1969_dates(db, tenant):
    photon = rvtools_vm(
        "photon-01",
        **{
            "OS according to the VMware Tools": "VMware Photon OS (64-bit)",
            "Guest Detailed Data": "architecture='X86' bitness='64'"
            " cpeString='cpe:/o:vmware:photonos:4.0' distroName='VMware Photon OS'"
            " distroVersion='4.0' familyName='Linux' kernelVersion='5.10.118-14.ph4'"
            " prettyName='VMware Photon OS/Linux'",
            "PowerOn": datetime(1969, 12, 31, 19, 0),  # never powered on, as RVTools says it
        },
    )
    other = rvtools_vm(
        "appliance-01",
        **{
            "OS according to the VMware Tools": "",
            "OS according to the configuration file": "Other (64-bit)",
            "PowerOn": datetime(2024, 5, 1, 8, 0),
        },
    )
    windows = rvtools_vm(
        "win-01", **{"OS according to the VMware Tools": "Microsoft Windows Server 2019 (64-bit)"}
    )
    content = rvtools_workbook([photon, other, windows], vinfo_header=RVTOOLS_VINFO)

    in_uow(db, tenant, import_assets, content, "RVTools_export_all.xlsx")

    assets = assets_by_name(db)
    assert (assets["photon-01"].operating_system, assets["photon-01"].os_version) == (
        "Linux", "VMware Photon OS 4.0",
    )  # fmt: skip
    assert "poweron" not in assets["photon-01"].custom_attributes  # 1969-12-31: no date
    assert assets["appliance-01"].custom_attributes["poweron"] == "2024-05-01T08:00:00"
    assert (assets["appliance-01"].operating_system, assets["appliance-01"].os_version) == (
        "Other", None,
    )  # fmt: skip
    assert assets["win-01"].os_version == "Server 2019"


def test_a_short_name_and_its_fqdn_with_the_same_ip_are_one_asset(db, tenant):
    header = ["Hostname", "IP Address", "Environment"]
    first = csv_bytes(header, [["web-01", "10.0.0.10", "production"], ["db-01", "10.0.0.20", ""]])
    second = csv_bytes(
        header,
        [
            ["web-01.corp.example.com", "10.0.0.10", "production"],  # same server
            ["db-01.other.example.com", "10.9.9.9", ""],  # another domain's db-01
        ],
    )

    in_uow(db, tenant, import_assets, first, "cmdb.csv")
    report = in_uow(db, tenant, import_assets, second, "dns.csv")

    assert (report.created, report.updated) == (1, 1)
    assets = assets_by_name(db)
    assert sorted(assets) == ["db-01", "db-01.other.example.com", "web-01"]
    assert assets["web-01"].custom_attributes["fqdn"] == "web-01.corp.example.com"

    back = csv_bytes(header, [["web-01", "10.0.0.10", "production"]])
    again = in_uow(db, tenant, import_assets, back, "cmdb.csv")
    assert (again.created, again.unchanged) == (0, 1)


def test_an_fqdn_first_then_its_short_name_is_one_asset(db, tenant):
    header = ["Hostname", "IP Addresses"]
    in_uow(db, tenant, import_assets, csv_bytes(header, [["app-01.corp.example.com", "10.1.0.5"]]),
           "dns.csv")  # fmt: skip
    report = in_uow(
        db, tenant, import_assets, csv_bytes(header, [["app-01", "10.1.0.5, fe80::5"]]), "cmdb.csv"
    )
    assert (report.created, report.updated) == (0, 1)
    assert list(assets_by_name(db)) == ["app-01.corp.example.com"]
