"""cinelake.aws"""
