"""Which job-key store a deployment uses: Redis when REDIS_URL is set, else SQL."""

from sqlalchemy import Engine

from config.settings import Settings, get_settings
from core.enhancement.job_store import JobKeyStore
from core.enhancement.redis_job_store import RedisJobStore
from core.enhancement.sql_job_store import SqlJobStore
from core.storage.redis_connection import redis_client


def job_store_for(engine: Engine, settings: Settings | None = None) -> JobKeyStore:
    """Redis when REDIS_URL is set, else the job_keys table in the application database."""
    settings = settings or get_settings()
    if settings.redis_url:
        return RedisJobStore(redis_client(settings.redis_url), settings.redis_key_prefix)
    return SqlJobStore(engine)
