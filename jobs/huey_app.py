"""The Huey instance and its tasks: RedisHuey with REDIS_URL, SqliteHuey (embedded) without.

`huey_consumer jobs.huey_app.huey` runs the tasks bound below; `dispatcher` is what core
enqueues to (the JOB_DISPATCHER setting names it, and core loads it on first use).
"""

from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from config.settings import Settings, get_settings
from core.access.session_tokens import SharedSecretMissing, session_secret
from jobs.serializer import JSONSerializer
from jobs.tasks import HueyDispatcher, register_tasks


def make_huey(settings: Settings) -> Huey:
    name = f"{settings.redis_key_prefix}collection"
    # Messages are signed with the secret every web and worker process shares.
    serializer = JSONSerializer(session_secret(settings))
    if settings.redis_url:
        # Huey would keep only letters, digits and "_" of the name, so "sec:" and "s.e.c:"
        # would share one list. Redis keys take any byte: keep the name as it is.
        return RedisHuey(
            name=name,
            url=settings.redis_url,
            results=False,
            clean_name=False,
            serializer=serializer,
        )
    Path(settings.huey_sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        name=name,
        filename=settings.huey_sqlite_path,
        results=False,
        serializer=serializer,
    )


try:
    huey = make_huey(get_settings())
except SharedSecretMissing as missing:  # the worker refuses to start, in one sentence
    raise SystemExit(str(missing)) from None
dispatcher: HueyDispatcher = register_tasks(huey)
