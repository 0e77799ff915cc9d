"""``python -m cinelake.tmdb.server '{"rate_limit": 40}'``: how serve_in_subprocess starts its child."""

from cinelake.tmdb.server.run import main

main()
