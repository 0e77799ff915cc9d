"""Test double of the AWS Glue runtime's ``awsglue`` package (see ../README.md)."""
