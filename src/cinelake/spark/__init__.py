"""cinelake.spark"""
