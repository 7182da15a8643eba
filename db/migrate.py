"""Alembic driven from the application's settings."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from config.settings import get_settings, migration_url
from db.roles import check_app_role, ensure_app_role

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate as the owner (`url`, else MIGRATION_DATABASE_URL, else DATABASE_URL)."""
    command.upgrade(alembic_config(url), revision)


def upgrade_and_grant() -> str | None:
    """The CLI's upgrade: migrate as the owner, then let DATABASE_URL's role use the rows.

    A role the owner could not set up is refused before the migrations, so nothing changes.
    """
    settings = get_settings()
    owner_url = migration_url(settings)
    check_app_role(owner_url, settings.database_url)
    upgrade(owner_url)
    return ensure_app_role(owner_url, settings.database_url)
