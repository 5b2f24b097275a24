"""Writes src/sekisho/domain/data/aws_managed_policies.json from AWS's published policies.

The documents, paths, default version ids and dates of AWS managed policies are
AWS's own data. moto bundles them (`moto/iam/aws_managed_policies.py`, one
JSON string refreshed from a real account); this tool reads that file as text
(moto is never imported, so none of its dependencies are needed) and writes
Sekisho's format. moto is never a dependency of Sekisho: install it into a
throwaway virtualenv and point this tool at it.

    python3 -m venv /tmp/motovenv && /tmp/motovenv/bin/pip install --no-deps moto
    .venv/bin/python tools/build_aws_managed_policies.py --moto /tmp/motovenv

moto's data carries no policy ids. A policy keeps the id it already has in
the data file; otherwise the id comes from `--ids FILE` (the JSON output of
`aws iam list-policies --scope AWS` against a real account) or from the
table below (ids published in AWS documentation and public listings); a
policy found in none of them gets a stable id derived from its ARN.

Output, one object per policy sorted by ARN:
    {"name", "path", "arn", "policy_id", "default_version_id",
     "create_date", "update_date", "document"}
`document` is the default version's JSON text, compact, with the top-level
and statement keys in the order AWS publishes them.
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

OUT = (Path(__file__).resolve().parent.parent / "src" / "sekisho" / "domain" / "data"
       / "aws_managed_policies.json")

# Real policy ids of widely used AWS managed policies (`aws iam get-policy`).
KNOWN_IDS: dict[str, str] = {
    "AdministratorAccess": "ANPAIWMBCKSKIEE64ZLYK",
    "PowerUserAccess": "ANPAJYRXTHIB4FOVS3ZXS",
    "ReadOnlyAccess": "ANPAILL3HVNFSB6DCOWYQ",
    "IAMFullAccess": "ANPAI7XKCFMBPM3QQRRVQ",
    "IAMReadOnlyAccess": "ANPAJKSO7NDY4T57MWDSQ",
    "IAMUserChangePassword": "ANPAJ4L4MM2A7QIEB56MS",
    "IAMUserSSHKeys": "ANPAJTSHUA4UXGXU7ANUA",
    "IAMSelfManageServiceSpecificCredentials": "ANPAI4VT74EMXK2PMQJM2",
    "AmazonS3FullAccess": "ANPAIFIR6V6BVTRAHWINE",
    "AmazonS3ReadOnlyAccess": "ANPAIZTJ4DXE7G6AGAE6M",
    "AmazonEC2FullAccess": "ANPAI3VAJF5ZCRZ7MCQE6",
    "AmazonEC2ReadOnlyAccess": "ANPAIGDT4SV4GSETWTBZK",
    "AmazonDynamoDBFullAccess": "ANPAINUGF2JSOSUY76KYA",
    "AmazonDynamoDBReadOnlyAccess": "ANPAIY2XFNA232XJ6J7X2",
    "AmazonSQSFullAccess": "ANPAI65L554VRJ33ECQS6",
    "AmazonSQSReadOnlyAccess": "ANPAIUGSSQY362XGCM6KW",
    "AmazonSNSFullAccess": "ANPAJWEKLCXXUNT2SOLSG",
    "AmazonSNSReadOnlyAccess": "ANPAIZGQCQTFOFPMHSB6W",
    "AmazonRDSFullAccess": "ANPAI3R4QMOG6Q5A4VWVG",
    "AmazonRDSReadOnlyAccess": "ANPAJKTTTYV2IIHKLZ346",
    "AmazonVPCFullAccess": "ANPAJBWPGNOVKZD3JI2P2",
    "AmazonVPCReadOnlyAccess": "ANPAIICZJNOJN36GTG6CM",
    "AmazonRoute53FullAccess": "ANPAJWVDLG5RPST6PHQ3A",
    "AmazonSSMFullAccess": "ANPAJA7V6HI4ISQFMDYAG",
    "AmazonSSMReadOnlyAccess": "ANPAJODSKQGGJTHRYZ5FC",
    "AmazonEC2ContainerRegistryFullAccess": "ANPAIESRL7KD7IIVF6V4W",
    "AmazonEC2ContainerRegistryReadOnly": "ANPAIFYZPA37OOHVIH7KQ",
    "AmazonEC2ContainerRegistryPowerUser": "ANPAJDNE5PIHROIBGGDDW",
    "AmazonKinesisFullAccess": "ANPAIVF32HAMOXCUYRAYE",
    "AmazonAthenaFullAccess": "ANPAIPJMLMD4C7RYZ6XCK",
    "AmazonSESFullAccess": "ANPAJ2P4NXCHAT7NDPNR4",
    "CloudWatchFullAccess": "ANPAIKEABORKUXN6DEAZU",
    "CloudWatchReadOnlyAccess": "ANPAJN23PDQP7SZQAE3QE",
    "CloudWatchLogsFullAccess": "ANPAJ3ZGNWK2R5HW5BQFO",
    "CloudWatchLogsReadOnlyAccess": "ANPAJ2YIYDYSNNEHK3VKW",
    "CloudFrontFullAccess": "ANPAIPRV52SH6HDCCFY6U",
    "AWSCloudFormationReadOnlyAccess": "ANPAJWVBEE4I2POWLODLW",
    "AWSCloudTrailReadOnlyAccess": "ANPAJDU7KJADWBSEQ3E7S",
    "AWSCodeCommitFullAccess": "ANPAI4VCZ3XPIZLQ5NZV2",
    "AWSCodePipelineFullAccess": "ANPAJP5LH77KSAT2KHQGG",
    "AWSKeyManagementServicePowerUser": "ANPAJNPP7PPPPMJRV2SA4",
    "AWSLambdaExecute": "ANPAJE5FX7FQZSU5XAKGO",
    "AWSLambdaBasicExecutionRole": "ANPAJNCQGXC42545SKXIK",
    "AWSLambdaVPCAccessExecutionRole": "ANPAJVTME3YLVNL72YR2K",
    "AWSLambdaRole": "ANPAJX4DPCRGTC4NFDUXI",
    "AWSStepFunctionsFullAccess": "ANPAJXKA6VP3UFBVHDPPA",
    "AWSSupportAccess": "ANPAJSNKQX2OW67GF4S7E",
    "SecurityAudit": "ANPAIX2T3QCXHR2OGGCTO",
    "ViewOnlyAccess": "ANPAID22R6XPJATWOFDK6",
    "Billing": "ANPAIFTHXT6FFMIRT7ZEA",
    "DatabaseAdministrator": "ANPAIGBMAW4VUQKOQNVT6",
    "DataScientist": "ANPAJ5YHI2BQW7EQFYDXS",
    "NetworkAdministrator": "ANPAJPNMADZFJCVPJVZA2",
    "SystemAdministrator": "ANPAITJPEZXCYCBXANDSW",
    "SupportUser": "ANPAI3V4GSSN5SJY3P2RO",
    "AmazonEC2RoleforSSM": "ANPAI6TL3SMY22S4KMMX6",
    "AmazonEC2ContainerServiceforEC2Role": "ANPAJLYJCVHC7TQHCSQDS",
    "AmazonRDSEnhancedMonitoringRole": "ANPAJV7BS425S4PTSSVGK",
    "AWSConfigRole": "ANPAIQRXRDRGJUA33ELIO",
    "AutoScalingNotificationAccessRole": "ANPAIO2VMUPGDC5PZVXVA",
}

_TOP_ORDER = ("Version", "Id", "Statement")
_STATEMENT_ORDER = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                    "Resource", "NotResource", "Condition")


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    keys = [k for k in order if k in mapping] + sorted(k for k in mapping if k not in order)
    return {k: mapping[k] for k in keys}


def canonical_document(doc: dict[str, Any]) -> str:
    """Compact JSON text with AWS's customary key order (moto's copy sorts keys)."""
    top = _ordered(doc, _TOP_ORDER)
    statements = top.get("Statement")
    if isinstance(statements, list):
        top["Statement"] = [_ordered(s, _STATEMENT_ORDER) if isinstance(s, dict) else s
                            for s in statements]
    elif isinstance(statements, dict):
        top["Statement"] = _ordered(statements, _STATEMENT_ORDER)
    return json.dumps(top, separators=(",", ":"), ensure_ascii=False)


def derived_id(arn: str) -> str:
    """A stable `ANPA` id for a policy whose real id is not known here."""
    digest = hashlib.sha256(f"sekisho:aws-managed:{arn}".encode()).digest()
    return "ANPA" + base64.b32encode(digest).decode("ascii")[:17]


def moto_data(venv_or_file: Path) -> dict[str, Any]:
    """The policies in moto's `aws_managed_policies.py`, keyed by policy name."""
    path = venv_or_file
    if path.is_dir():
        found = sorted(path.glob("lib/python3*/site-packages/moto/iam/aws_managed_policies.py"))
        if not found:
            raise SystemExit(f"no moto/iam/aws_managed_policies.py under {path}")
        path = found[-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            data: dict[str, Any] = json.loads(node.value.value)
            return data
    raise SystemExit(f"{path} holds no JSON string")


def ids_from_listing(path: Path | None) -> dict[str, str]:
    """ARN -> id from `aws iam list-policies` output (a {"Policies": [...]} object or a list)."""
    if path is None:
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = raw.get("Policies", []) if isinstance(raw, dict) else raw
    return {p["Arn"]: p["PolicyId"] for p in items if "Arn" in p and "PolicyId" in p}


def existing_ids() -> dict[str, str]:
    if not OUT.exists():
        return {}
    return {p["arn"]: p["policy_id"] for p in json.loads(OUT.read_text(encoding="utf-8"))}


def build(data: dict[str, Any], listing: dict[str, str]) -> list[dict[str, str]]:
    kept = existing_ids()
    out = []
    for name, item in data.items():
        path = item.get("Path", "/")
        arn = f"arn:aws:iam::aws:policy{path}{name}"
        policy_id = listing.get(arn) or kept.get(arn) or KNOWN_IDS.get(name) or derived_id(arn)
        out.append({
            "name": name,
            "path": path,
            "arn": arn,
            "policy_id": policy_id,
            "default_version_id": item["DefaultVersionId"],
            "create_date": item["CreateDate"],
            "update_date": item["UpdateDate"],
            "document": canonical_document(item["Document"]),
        })
    return sorted(out, key=lambda p: p["arn"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moto", type=Path, required=True,
                        help="a virtualenv with moto installed, or its aws_managed_policies.py")
    parser.add_argument("--ids", type=Path, help="`aws iam list-policies --scope AWS` output")
    args = parser.parse_args(argv)
    policies = build(moto_data(args.moto), ids_from_listing(args.ids))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One policy per line keeps diffs of a refresh readable.
    lines = ",\n".join(json.dumps(p, ensure_ascii=False, separators=(",", ":"))
                       for p in policies)
    OUT.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"wrote {len(policies)} policies to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
