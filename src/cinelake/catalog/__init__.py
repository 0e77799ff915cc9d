"""cinelake.catalog"""
