"""AWS Glue (or EMR spark-submit) entry script: the cinelake raw-to-trusted job.

Glue job arguments: see cinelake.spark.entry.raw_to_trusted_main. The cinelake package must be importable
(Glue: --additional-python-modules with the cinelake wheel; EMR: pip install it on the cluster).
"""

from cinelake.spark.entry import raw_to_trusted_main

if __name__ == "__main__":
    raw_to_trusted_main()
