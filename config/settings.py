"""One settings object for the web app, the workers, the CLIs and the tests."""

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/collection.db"
    # The tables' owner, for migrations; unset: DATABASE_URL. On PostgreSQL the application
    # should connect as another role, so that row-level security binds it.
    migration_database_url: str | None = None
    # Unset: the embedded default (SqliteHuey and job keys in the database).
    redis_url: str | None = None
    # Where SqliteHuey keeps its queue when REDIS_URL is unset.
    huey_sqlite_path: str = "var/huey.db"
    # The queue core hands background work to (`module:attribute`), loaded on first use.
    job_dispatcher: str = "jobs.huey_app:dispatcher"
    # A job whose heartbeat is older than this is stalled and no longer blocks a submission.
    job_stall_seconds: int = Field(default=60, ge=1)
    # Each worker process reports it is alive this often (Redis, or the SQL store embedded).
    worker_heartbeat_seconds: float = Field(default=5.0, gt=0)
    # A worker not heard from for this long is offline, and a job it was running is flagged
    # (and can be retried) at once, without waiting for the job's stall limit.
    worker_offline_seconds: float = Field(default=15.0, gt=0)
    # Pause after each gap of a job: keeps a shared database or a paid model API below a rate.
    gap_job_pause_seconds: float = Field(default=0.0, ge=0)
    # Prefix for every Redis key, so several deployments or test runs can share one server.
    redis_key_prefix: str = ""
    # A predicted value is filled into a question as its answer only from this confidence
    # up; below it, it is offered as a suggestion to accept with one click.
    prediction_prefill_confidence: float = Field(default=0.8, ge=0, le=1)
    # Below this confidence a prediction is not offered at all: a guess that weak helps nobody.
    prediction_offer_confidence: float = Field(default=0.1, ge=0, le=1)
    # The assets an engagement's prediction model learns from: past this many, a sample of
    # them, the same in every process, so a worker's first job costs the same at any size;
    # half of a 100,000-asset estate still keeps the peers of small groups (folders, applications).
    prediction_training_assets: int = Field(default=50_000, ge=1_000)
    # Open questions the answer grid shows at once (and a spreadsheet of answers holds); past
    # it the page asks to narrow the filters. 5,000 rows draw in about a second.
    answer_grid_max_rows: int = Field(default=5_000, ge=1, le=100_000)
    # Inventory files (CSV or .xlsx) are read as a stream under these limits; a file over one
    # is refused (400) as soon as the limit is passed, before anything is written, so a small
    # file that unpacks or decodes into something huge costs seconds and megabytes, not more.
    # Data rows (blank rows are skipped, and counted apart up to Excel's 1,048,576).
    import_max_rows: int = Field(default=200_000, ge=1)
    # The file itself: a CSV's bytes, a workbook's zip (both are held in memory once).
    import_max_file_bytes: int = Field(default=100 * 2**20, ge=1)
    # One cell's text. Rows with cells over 10,000 characters are skipped with a reason; a cell
    # this long means the file is not an inventory (CSV cells also stop at the csv module's
    # 131,072).
    import_max_cell_chars: int = Field(default=100_000, ge=1)
    # What one sheet of a workbook unpacks to. The sheet is streamed, so this bounds the time a
    # read takes (about 10 s per 100 MB of XML on one core), not memory.
    import_max_unpacked_bytes: int = Field(default=256 * 2**20, ge=1)
    # What a workbook's shared strings unpack to: they are held in memory while a sheet is read,
    # at about this size again.
    import_max_shared_strings_bytes: int = Field(default=64 * 2**20, ge=1)
    # Columns of a row (a workbook cell past this column, or a CSV record with more cells, is
    # refused at the first such row): inventories have tens, RVTools about 90; 16,384 empty
    # columns a row, or 10,000-column CSVs, cost minutes and gigabytes.
    import_max_columns: int = Field(default=1_000, ge=1, le=16_384)
    # Assets one flow may select: a selection over it is refused (400) and the flow stays in
    # asset selection with nothing written. 100,000 is what the Gaps page and a scan are sized
    # for (about 700,000 gaps).
    max_assets_per_flow: int = Field(default=100_000, ge=1)
    # Where a worker writes a whole flow's export for the Flow page to download: the web and
    # worker processes must share it (one host, or a shared volume). Files older than a day
    # are removed as new ones are written.
    export_dir: str = "var/exports"
    # Sign-in throttling (core/access/sign_in_throttle.py), counted per (email, source address) and
    # per source address, never per account alone. After the free failures each further one
    # blocks for base * 2**(failures beyond the free ones) seconds, up to the cap; counts
    # are forgotten after that long without an attempt.
    sign_in_free_failures: int = Field(default=5, ge=1)
    sign_in_address_free_failures: int = Field(default=50, ge=1)
    sign_in_backoff_base_seconds: float = Field(default=30.0, gt=0)
    sign_in_backoff_max_seconds: float = Field(default=900.0, gt=0)
    sign_in_forget_after_seconds: float = Field(default=3600.0, gt=0)
    # Staying signed in (core/access/sessions.py): a sign-in lasts this long across reloads,
    # unless Sign out, a new password or deactivation ends it first.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    # Signs the session cookie (at least 32 characters; the same on every web replica). Unset:
    # one is generated once into SESSION_SECRET_PATH (mode 0600) and read from there.
    # On PostgreSQL or Redis the web and worker processes refuse to start without it (a generated
    # secret would be one host's own); it also signs the queue's messages.
    session_secret: SecretStr | None = Field(default=None, min_length=32)
    session_secret_path: str = "var/session_secret"
    # Uploads (dashboard/upload_gate.py) come only from sessions whose person may import; one
    # file is refused (413) over IMPORT_MAX_FILE_BYTES, before its body is read, and so is
    # one that would make a browser session hold more than this at once (a replaced file is
    # held until the page's next run lets it go).
    upload_max_session_bytes: int = Field(default=256 * 2**20, ge=1)
    # The job panel's progress polls (dashboard/progress_endpoint.py), per second, counted in
    # each web process: per pass (a panel polls every 2 s at most) and per client address (an
    # office behind one address polls for all its people). Beyond a few seconds' burst a poll
    # is refused with 429 and Retry-After.
    progress_polls_per_pass_per_second: float = Field(default=2.0, gt=0)
    progress_polls_per_address_per_second: float = Field(default=50.0, gt=0)
    # Mail to owners (core/requests): the address people open their link under, the SMTP relay
    # the workers send through (unset SMTP_HOST: nothing is sent, and the page says so), how
    # long a link lives and how long after a mail a reminder follows.
    public_url: str = Field(
        default="http://localhost:8501", description="the address owners open their link under"
    )
    smtp_host: str | None = Field(default=None, description="the SMTP relay; unset: no mail")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="the SMTP relay's port")
    smtp_from: str = Field(
        default="collection@localhost", description="the sender of mail to owners and managers"
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, when it needs one")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP login's password")
    smtp_starttls: bool = Field(default=False, description="upgrade the SMTP connection to TLS")
    request_days: int = Field(default=14, ge=1, le=365, description="how long a link lives")
    reminder_days: int = Field(
        default=3, ge=1, le=365, description="days after the last mail before a reminder"
    )


def migration_url(settings: Settings) -> str:
    return settings.migration_database_url or settings.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
