"""cinelake.tmdb"""
