#!/usr/bin/python3
"""Validates glassbox traces against docs/trace.schema.json.

usage: validate_trace.py SCHEMA TRACE [TRACE ...]
       validate_trace.py --expect-invalid SCHEMA TRACE   (passes only if the trace is rejected)

Exit 0 when every trace is valid (or, with --expect-invalid, when the trace is rejected); 1 with
the first errors, each with its JSON path, otherwise. Uses Debian's python3-jsonschema.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_trace.py: python3-jsonschema is missing (apt-get install python3-jsonschema)")


def errors_of(validator, path):
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        return [f"{path}: not readable as JSON: {e}"]
    found = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{path}: at {e.json_path}: {e.message}" for e in found[:10]]


def main(argv):
    expect_invalid = "--expect-invalid" in argv
    args = [a for a in argv if a != "--expect-invalid"]
    if len(args) < 2:
        sys.exit(__doc__)
    with open(args[0], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    failed = False
    for path in args[1:]:
        errors = errors_of(validator, path)
        if expect_invalid:
            if errors:
                print(f"{path}: rejected as expected: {errors[0]}")
            else:
                print(f"{path}: accepted, but it should have been rejected")
                failed = True
        elif errors:
            print("\n".join(errors))
            failed = True
        else:
            print(f"{path}: valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
