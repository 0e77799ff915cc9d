"""The storage layer: the lake layout, the store, and (later) the batch writer and run manifests."""

from cinelake.lake.store import Lake, LakeUrl, parse_lake_url

__all__ = ["Lake", "LakeUrl", "parse_lake_url"]
