#!/usr/bin/env python3
"""Extracts the list of Svix API operations (method, path, operationId) from Svix's public OpenAPI spec.

Run once per Svix spec update and commit the result; SvixOperationsDocumentationTests checks that
docs/COMPATIBILITY.md has exactly one row for each operation listed here.

    git -C <svix-webhooks clone> show HEAD:codegen/lib-openapi.json > /tmp/lib-openapi.json
    python3 extract-svix-operations.py /tmp/lib-openapi.json "<svix-webhooks commit>" > svix-operations.json
"""
import json
import sys

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def main(spec_path: str, source: str) -> None:
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    operations = sorted(
        ({"method": method.upper(), "path": path, "operationId": op["operationId"]}
         for path, item in spec["paths"].items()
         for method, op in item.items() if method in METHODS),
        key=lambda o: (o["path"], METHODS.index(o["method"].lower())),
    )
    json.dump({"source": source, "operations": operations}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
