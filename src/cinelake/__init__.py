"""cinelake: a movie and series data lake that runs on a laptop and deploys to AWS unchanged.

This product uses the TMDB API but is not endorsed or certified by TMDB.
"""

from cinelake.errors import CinelakeError, ConfigError, InputFileError, LakeError, LakePathError, UsageError

__version__ = "0.1.0"

__all__ = [
    "CinelakeError",
    "ConfigError",
    "InputFileError",
    "LakeError",
    "LakePathError",
    "UsageError",
    "__version__",
]
