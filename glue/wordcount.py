"""AWS Glue (or EMR spark-submit) entry script: the cinelake wordcount job.

Glue job arguments: see cinelake.spark.entry.wordcount_main. The cinelake package must be importable
(Glue: --additional-python-modules with the cinelake wheel; EMR: pip install it on the cluster).
"""

from cinelake.spark.entry import wordcount_main

if __name__ == "__main__":
    wordcount_main()
