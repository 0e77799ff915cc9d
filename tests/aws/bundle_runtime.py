"""Run awslambdaric with only what one deployment bundle carries importable: ``python
bundle_runtime.py <bundle> <handler>``. The bundle's forbidden modules (cinelake.aws.packaging.BUNDLES)
raise ImportError, as they would on Lambda where the zip does not hold them."""

from __future__ import annotations

import importlib.abc
import runpy
import sys
from typing import Any

from cinelake.aws.packaging import BUNDLES


class _Absent(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname.split(".")[0] in self.names:
            raise ImportError(f"No module named {fullname!r} (not in this Lambda bundle)")


if __name__ == "__main__":
    bundle = BUNDLES[sys.argv[1]]
    sys.meta_path.insert(0, _Absent(bundle.forbidden))
    sys.argv = ["awslambdaric", *sys.argv[2:]]
    runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)
