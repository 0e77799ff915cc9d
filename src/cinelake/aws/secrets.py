"""The TMDB secret on AWS: Secrets Manager, SSM Parameter Store, or the environment.

Where to look is named by the settings: ``TMDB_SECRET_ID`` (Secrets Manager), else
``TMDB_SSM_PARAMETER`` (a SecureString parameter), else ``TMDB_READ_ACCESS_TOKEN`` / ``TMDB_API_KEY``
in the environment. The reading itself lives in :mod:`cinelake.credentials`, shared with the CLI
commands (which take a credential given directly before the stores).

No message raised here ever holds the value; only the secret's *name* is shown.
"""

from __future__ import annotations

from cinelake.credentials import (
    SecretLookupError,
    TMDBCredentials,
    from_secrets_manager,
    from_ssm,
    load_tmdb_credentials,
    parse_secret_value,
)

__all__ = [
    "SecretLookupError",
    "TMDBCredentials",
    "from_secrets_manager",
    "from_ssm",
    "load_tmdb_credentials",
    "parse_secret_value",
]
