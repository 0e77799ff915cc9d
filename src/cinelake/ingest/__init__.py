"""cinelake.ingest"""
