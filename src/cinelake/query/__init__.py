"""cinelake.query"""
