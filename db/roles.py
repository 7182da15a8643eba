"""The application's database role: it may read and write rows, and nothing more.

Migrations run as the tables' owner (MIGRATION_DATABASE_URL); the application connects as
DATABASE_URL's user. On PostgreSQL that user must not own the tables, be a superuser or
bypass row-level security, or the tenant policies would not bind it.
"""

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Only reads the migration version; writes rows of every other table.
READ_ONLY_TABLES = ("alembic_version",)
# Only adds rows: what happened stays written, whatever the application is made to do.
APPEND_ONLY_TABLES = ("audit_events",)


class UnsafeAppRole(RuntimeError):
    pass


def ensure_app_role(owner_url: str, app_url: str) -> str | None:
    """Create the application role if missing and grant it row access (the audit trail's rows
    it may only add); its name, or None.

    Nothing to do on SQLite or when both URLs name the same user (a single-user setup, where
    the FORCEd policies still bind the owner unless it is a superuser).
    """
    owner, app = make_url(owner_url), make_url(app_url)
    if app.get_backend_name() != "postgresql" or not app.username:
        return None
    if app.username == owner.username:
        return None
    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    quote = engine.dialect.identifier_preparer.quote
    role = quote(app.username)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :name"),
                {"name": app.username},
            ).first()
            if found is None:
                password = app.password or ""
                connection.exec_driver_sql(
                    f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                    + (f" PASSWORD '{password.replace(chr(39), chr(39) * 2)}'" if password else "")
                )
            elif found.rolsuper or found.rolbypassrls:
                raise UnsafeAppRole(
                    f"role {app.username} is a superuser or bypasses row-level security;"
                    " connect the application as an ordinary role"
                )
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
    return app.username
