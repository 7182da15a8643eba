"""Deterministic demo inventory: tenants, users, and assets with realistic holes in them."""

import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from db.models import Asset, ClientAccount, Engagement, Membership, User
from db.session import bind_tenant

CLIENTS = {
    "Northwind Health": ("Datacenter Exit 2027", "Clinical Apps Wave"),
    "Contoso Retail": ("ERP Modernization", "Stores Platform Move"),
}
# Share of each asset type in a typical enterprise inventory.
TYPE_WEIGHTS = {
    "server": 28,
    "virtual_machine": 27,
    "database": 14,
    "application": 20,
    "network": 4,
    "storage": 5,
    "other": 2,
}
PEOPLE = (
    "Dana Ortiz",
    "Lee Park",
    "Maria Silva",
    "Kai Chen",
    "Sam Okafor",
    "Noor Haddad",
    "Jonas Weber",
    "Aiko Tanaka",
    "Priya Raman",
    "Tom Becker",
)
PLACEHOLDERS = ("TBD", "N/A", "unknown", "?", "-")
OS_CHOICES = (
    ("Linux", ("RHEL 7.9", "RHEL 8.8", "Ubuntu 20.04", "SLES 15")),
    ("Windows", ("Server 2012 R2", "Server 2016", "Server 2019", "Server 2022")),
    ("AIX", ("7.2",)),
    ("Solaris", ("11.4",)),
)
STACKS = (
    "Java 8 / Tomcat",
    "Java 17 / Spring Boot",
    ".NET Framework 4.8",
    ".NET 8",
    "Python 3.9 / Django",
    "Node.js 18",
    "PHP 7.4",
    "COBOL / CICS",
    "SAP ABAP",
)


TYPED_COLUMNS = (
    "operating_system",
    "os_version",
    "cpu_cores",
    "memory_gb",
    "storage_gb",
    "technology_stack",
)


@dataclass(frozen=True)
class DemoTenant:
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    client_name: str
    engagement_name: str


class DemoRandom(random.Random):
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.getrandbits(128), version=4)

    def maybe(
        self, value: Any, *, missing: float = 0.15, invalid: float = 0.05, bad: Any = None
    ) -> Any:
        """The value, or a hole as real inventories have them: absent, a placeholder, or junk."""
        roll = self.random()
        if roll < missing:
            return None
        if roll < missing + invalid:
            return bad if bad is not None else self.choice(PLACEHOLDERS)
        return value


def demo_asset_values(rng: DemoRandom, asset_type: str, index: int) -> dict[str, Any]:
    family, versions = rng.choice(OS_CHOICES)
    is_host = asset_type in ("server", "virtual_machine", "database")
    values: dict[str, Any] = {
        **dict.fromkeys(TYPED_COLUMNS),
        "name": f"{asset_type.replace('_', '-')}-{index:05d}",
        "asset_type": asset_type,
        "environment": rng.maybe(
            rng.choice(("production", "production", "test", "development", "staging", "dr")),
            missing=0.1,
        ),
        "business_criticality": rng.maybe(rng.choice(("low", "medium", "high", "critical"))),
        "business_owner": rng.maybe(rng.choice(PEOPLE), missing=0.2),
        "technical_owner": rng.maybe(rng.choice(PEOPLE), missing=0.15),
    }
    custom: dict[str, Any] = {"discovery_source": rng.choice(("servicenow", "rvtools", "manual"))}
    if is_host:
        values.update(
            operating_system=rng.maybe(family, missing=0.08),
            os_version=rng.maybe(rng.choice(versions), missing=0.12),
            cpu_cores=rng.maybe(rng.choice((2, 4, 8, 16, 32)), invalid=0.03, bad=0),
            memory_gb=rng.maybe(float(rng.choice((4, 8, 16, 32, 64, 128))), invalid=0.03, bad=-1.0),
            storage_gb=rng.maybe(float(rng.choice((50, 100, 250, 500, 1000, 4000))), bad=0.0),
        )
        custom["network_zone"] = rng.maybe(rng.choice(("dmz", "internal", "restricted")))
        custom["virtualization_platform"] = rng.maybe(rng.choice(("vmware", "physical", "hyper-v")))
        custom["end_of_support_date"] = rng.maybe(
            f"20{rng.randint(24, 32)}-{rng.randint(1, 12):02d}-01"
        )
        custom["known_vulnerabilities"] = rng.maybe(rng.randint(0, 40))
    if asset_type in ("application", "database"):
        values["technology_stack"] = rng.maybe(rng.choice(STACKS))
        custom["integration_dependencies"] = rng.maybe(
            ", ".join(rng.sample(("SAP", "LDAP", "Kafka", "Oracle DB", "SFTP", "Payments API"), 2))
        )
    if asset_type == "database":
        custom["database_engine"] = rng.maybe(
            rng.choice(("oracle", "sql_server", "postgresql", "mysql"))
        )
    if asset_type in ("database", "storage"):
        custom["data_volume_gb"] = rng.maybe(rng.randint(10, 20000))
        values["storage_gb"] = rng.maybe(float(rng.choice((500, 2000, 10000))), bad=0.0)
    if asset_type in ("application", "database", "storage"):
        custom["compliance_requirements"] = rng.maybe(rng.choice(("none", "pci", "gdpr", "sox")))
    if asset_type == "application":
        custom["application_version"] = rng.maybe(f"{rng.randint(1, 12)}.{rng.randint(0, 9)}")
        custom["architecture_pattern"] = rng.maybe(
            rng.choice(("monolith", "n-tier", "microservices"))
        )
        custom["technical_debt_score"] = rng.maybe(rng.randint(1, 10), invalid=0.03, bad=42)
        custom["known_vulnerabilities"] = rng.maybe(rng.randint(0, 25))
    values["custom_attributes"] = {key: value for key, value in custom.items() if value is not None}
    return values


def create_tenants(db: Session, rng: DemoRandom) -> list[DemoTenant]:
    tenants = []
    for client_name, engagement_names in CLIENTS.items():
        client = ClientAccount(id=rng.uuid(), name=client_name)
        db.add(client)
        db.flush()
        for engagement_name in engagement_names:
            engagement = Engagement(
                id=rng.uuid(), client_account_id=client.id, name=engagement_name
            )
            db.add(engagement)
            tenants.append(DemoTenant(client.id, engagement.id, client_name, engagement_name))
    db.flush()
    return tenants


def create_assets(db: Session, rng: DemoRandom, tenant: DemoTenant, count: int) -> list[uuid.UUID]:
    bind_tenant(db, tenant.client_account_id, tenant.engagement_id)
    types = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()), k=count)
    rows = []
    for index, asset_type in enumerate(types):
        rows.append(
            {
                "id": rng.uuid(),
                "client_account_id": tenant.client_account_id,
                "engagement_id": tenant.engagement_id,
                **demo_asset_values(rng, asset_type, index),
            }
        )
    for start in range(0, len(rows), 2000):
        db.execute(insert(Asset), rows[start : start + 2000])
    return [row["id"] for row in rows]


def create_user(
    db: Session,
    rng: DemoRandom,
    email: str,
    role: str,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID | None = None,
    password_hash: str | None = None,
) -> User:
    user = User(
        id=rng.uuid(),
        email=email,
        display_name=email.split("@")[0].title(),
        password_hash=password_hash,
    )
    db.add(user)
    db.flush()
    db.add(
        Membership(
            user_id=user.id,
            client_account_id=client_account_id,
            engagement_id=engagement_id,
            role=role,
        )
    )
    return user
