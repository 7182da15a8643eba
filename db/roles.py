"""The application's database role: it may read and write rows, and nothing more.

Migrations run as the tables' owner (MIGRATION_DATABASE_URL); the application connects as
DATABASE_URL's user. On PostgreSQL that user must not own the tables, be a superuser or
bypass row-level security, or the tenant policies would not bind it. The owner creates the
role when it may create roles; otherwise an administrator creates it beforehand, and the
owner only grants it row access.
"""

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

# Only reads the migration version; writes rows of every other table.
READ_ONLY_TABLES = ("alembic_version",)
# Only adds rows: what happened stays written, whatever the application is made to do.
APPEND_ONLY_TABLES = ("audit_events",)


class AppRoleError(RuntimeError):
    """The application role cannot be set up; the message says what to do, with no secret."""


class UnsafeAppRole(AppRoleError):
    pass


class AppRoleMissing(AppRoleError):
    pass


def check_app_role(owner_url: str, app_url: str) -> None:
    """Refuse, before anything changes, an application role the owner could not set up."""
    owner, app = make_url(owner_url), make_url(app_url)
    if not _separate_postgresql_role(owner, app):
        return
    engine = create_engine(owner_url)
    try:
        with engine.connect() as connection:
            _existing_role_is_safe(connection, str(owner.username), str(app.username))
    finally:
        engine.dispose()


def ensure_app_role(owner_url: str, app_url: str) -> str | None:
    """Create the application role if missing and grant it row access (the audit trail's rows
    it may only add); its name, or None.

    Nothing to do on SQLite or when both URLs name the same user (a single-user setup, where
    the FORCEd policies still bind the owner unless it is a superuser).
    """
    owner, app = make_url(owner_url), make_url(app_url)
    if not _separate_postgresql_role(owner, app):
        return None
    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    quote = engine.dialect.identifier_preparer.quote
    name = str(app.username)
    role = quote(name)
    try:
        with engine.connect() as connection:
            if not _existing_role_is_safe(connection, str(owner.username), name):
                _create_role(connection, role, name, app.password or "")
            database = quote(connection.scalar(text("SELECT current_database()")))
            connection.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {role}")
            connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
            connection.exec_driver_sql(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
            for table in READ_ONLY_TABLES:
                connection.exec_driver_sql(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {role}")
            for table in APPEND_ONLY_TABLES:
                connection.exec_driver_sql(
                    f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}"
                )
            connection.exec_driver_sql(
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"
            )
    finally:
        engine.dispose()
    return name


def create_role_sql(role_name: str) -> str:
    """What an administrator runs to create the application role (its password left out)."""
    quoted = role_name.replace('"', '""')
    return (
        f'CREATE ROLE "{quoted}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE'
        " PASSWORD '<the password of DATABASE_URL>';"
    )


def _separate_postgresql_role(owner: URL, app: URL) -> bool:
    return (
        app.get_backend_name() == "postgresql"
        and bool(app.username)
        and app.username != owner.username
    )


def _existing_role_is_safe(connection: Connection, owner: str, app: str) -> bool:
    """True when the role exists and is ordinary; False when the owner may create it."""
    found = connection.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :name"),
        {"name": app},
    ).first()
    if found is not None:
        if found.rolsuper or found.rolbypassrls:
            raise UnsafeAppRole(
                f"Role {app} is a superuser or bypasses row-level security;"
                " connect the application (DATABASE_URL) as an ordinary role."
            )
        return True
    may_create = connection.scalar(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    )
    if not may_create:
        raise AppRoleMissing(
            f"Role {app} (DATABASE_URL) does not exist and {owner} may not"
            f" create roles: have an administrator run {create_role_sql(app)}"
            " then run python -m db upgrade again."
        )
    return False


def _create_role(connection: Connection, role: str, name: str, password: str) -> None:
    literal = password.replace("'", "''")
    try:
        connection.exec_driver_sql(
            f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            + (f" PASSWORD '{literal}'" if password else "")
        )
    except DBAPIError as error:
        # The statement holds the password: it must not travel with the error.
        reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        raise AppRoleMissing(
            f"Role {name} (DATABASE_URL) could not be created ({reason}): have an"
            f" administrator run {create_role_sql(name)} then run python -m db"
            " upgrade again."
        ) from None
