"""Which of an engagement's assets its prediction model learns from: all of them, or a sample.

Past a limit (PREDICTION_TRAINING_ASSETS) the model learns from a sample, so a worker's first
job costs the same at any size; held-out passes are bounded anyway. Large groups keep their
peers in a sample; a small group (a folder of a dozen VMs) keeps a few.
The sample is the assets whose ids rank lowest under a keyed hash: the same assets in every
process and whatever order the database returns them in, and an asset added to the
engagement changes the sample by at most one asset.
"""

import hashlib
import heapq
import uuid
from collections.abc import Iterable, Iterator, Sequence

from core.enhancement.features import AssetRecord, record_from_row
from core.storage.assets import IN_LIST_CHUNK, AssetRepository
from core.storage.value_sources import ValueSourceRepository

_SALT = b"prediction training sample"
# Assets read and turned into records at a time (a query for their rows, two for their files).
READ_BATCH = IN_LIST_CHUNK


def sample_rank(asset_id: uuid.UUID) -> int:
    """Where an asset ranks for the sample: a keyed hash of its id, the same in every process."""
    digest = hashlib.blake2b(asset_id.bytes, digest_size=8, key=_SALT).digest()
    return int.from_bytes(digest, "big")


def training_sample(asset_ids: Iterable[uuid.UUID], limit: int) -> tuple[list[uuid.UUID], int]:
    """(at most `limit` of the ids, the lowest ranked, in rank order; how many ids there were),
    read as a stream holding `limit` of them at a time."""
    kept: list[tuple[int, uuid.UUID]] = []  # the kept ids, the highest rank first (negated)
    seen = 0
    for asset_id in asset_ids:
        seen += 1
        rank = sample_rank(asset_id)
        if len(kept) < limit:
            heapq.heappush(kept, (-rank, asset_id))
        elif rank < -kept[0][0]:
            heapq.heapreplace(kept, (-rank, asset_id))
    return [asset_id for _, asset_id in sorted(kept, reverse=True)], seen


def records_of(
    assets: AssetRepository, sources: ValueSourceRepository, asset_ids: Sequence[uuid.UUID]
) -> Iterator[AssetRecord]:
    """These assets as the model reads them, in the order given, read a batch at a time; an
    asset deleted meanwhile is left out."""
    for start in range(0, len(asset_ids), READ_BATCH):
        batch = asset_ids[start : start + READ_BATCH]
        files = sources.import_files(batch)
        rows = {row.id: row for rows in assets.iter_scan_rows(batch) for row in rows}
        for asset_id in batch:
            row = rows.get(asset_id)
            if row is not None:
                yield record_from_row(row, files.get(asset_id))
