"""cinelake.analysis"""
