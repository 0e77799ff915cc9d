"""AWS Glue (or EMR spark-submit) entry script: the cinelake trusted-to-refined job.

Glue job arguments: see cinelake.spark.entry.trusted_to_refined_main. The cinelake package must be importable
(Glue: --additional-python-modules with the cinelake wheel; EMR: pip install it on the cluster).
"""

from cinelake.spark.entry import trusted_to_refined_main

if __name__ == "__main__":
    trusted_to_refined_main()
