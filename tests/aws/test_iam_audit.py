"""The access audit itself: it must refuse what a role does not grant, or the day test proves nothing."""

from __future__ import annotations

import json

from tests.aws import iam_audit
from tests.aws.iam_audit import Call, Policy
from tests.aws.stack import load_template

VARIABLES = {
    "AWS::Partition": "aws", "AWS::Region": iam_audit.REGION, "AWS::AccountId": iam_audit.ACCOUNT,
    "AWS::StackName": "cinelake", "BucketName": "lake", "GlueDatabaseName": "cinelake",
}  # fmt: skip


def policy(role: str) -> Policy:
    return Policy.of_role(load_template(), role, VARIABLES, "cinelake/tmdb")


def s3(method: str, path: str, query: str = "") -> Call:
    return Call("s3", method, path, query, "", b"")


def glue(operation: str, **body: object) -> Call:
    return Call("glue", "POST", "/", "", f"AWSGlue.{operation}", json.dumps(body).encode())


def test_s3_keys_and_prefixes() -> None:
    plan = policy("PlanRole")
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2&prefix=Raw/Local/CSV/Movies/")], plan) == []
    assert iam_audit.audit([s3("HEAD", "/lake/Raw/Local/CSV/Movies")], plan) == []
    assert iam_audit.audit([s3("GET", "/lake", "list-type=2&prefix=Trusted/")], plan)
    assert iam_audit.audit([s3("PUT", "/lake/Raw/Local/CSV/x.csv")], plan)
    ingest = policy("IngestRole")
    assert iam_audit.audit([s3("PUT", "/lake/Raw/TMDB/JSON/Movies/2026/11/26/m.json")], ingest) == []
    assert iam_audit.audit([s3("PUT", "/lake/Refined/fact_movie/x.parquet")], ingest)
    report = policy("ReportRole")
    assert iam_audit.audit([s3("PUT", "/lake/Refined/_reports/2026/11/26/report.html")], report) == []
    assert iam_audit.audit([s3("PUT", "/lake/Refined/fact_movie/x.parquet")], report)
    assert iam_audit.audit([s3("DELETE", "/lake/Refined/_reports/2026/11/26/report.html")], report)


def test_glue_calls_and_the_one_writer() -> None:
    create = glue("CreateTable", DatabaseName="cinelake", TableInput={"Name": "fact_movie"})
    assert iam_audit.audit([create], policy("CatalogRole")) == []
    assert iam_audit.audit([create], policy("ReportRole"))
    assert iam_audit.audit([glue("GetTables", DatabaseName="cinelake")], policy("ReportRole")) == []
    assert iam_audit.audit([glue("GetTables", DatabaseName="other")], policy("CatalogRole"))
    assert iam_audit.audit(
        [glue("CreateDatabase", DatabaseInput={"Name": "cinelake"})], policy("CatalogRole")
    )


def test_secrets_and_anything_unknown() -> None:
    read = Call(
        "secretsmanager", "POST", "/", "", "secretsmanager.GetSecretValue", b'{"SecretId": "cinelake/tmdb"}'
    )
    assert iam_audit.audit([read], policy("IngestRole")) == []
    assert iam_audit.audit([read], policy("CatalogRole"))
    assert iam_audit.audit([Call("sqs", "POST", "/", "", "", b"")], policy("IngestRole"))
