"""Generate ``idmint/web/cognito/model.json`` from botocore's cognito-idp service model.

The file is what ``idmint.web.cognito.validation`` validates request bodies against:

* ``operations``: every operation of the service, with its input shape, whether it is
  public (callable without a SigV4 signature) and the error shapes it may return;
* ``shapes``: every shape reachable from an operation's *input* shape, reduced to what
  request validation needs (type, members, constraints, sensitivity; no documentation).

The output is deterministic, one line per operation and per shape: object keys are
sorted, except where the model's order carries meaning and is kept as botocore gives
it (a structure's ``members``, its ``required`` list and a string's ``enum``). Run from
the repository root::

    .venv/bin/python scripts/gen_cognito_model.py          # write the file
    .venv/bin/python scripts/gen_cognito_model.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SERVICE = "cognito-idp"
OUTPUT = Path(__file__).resolve().parent.parent / "idmint" / "web" / "cognito" / "model.json"

# Shape-level traits copied from botocore's model when present.
_SCALAR_TRAITS = ("min", "max", "pattern", "sensitive")
# Types a shape may have in the output (``document`` marks a Smithy document).
_TYPES = frozenset(
    {
        "structure",
        "string",
        "integer",
        "long",
        "boolean",
        "timestamp",
        "list",
        "map",
        "blob",
        "double",
        "float",
        "document",
    }
)

# Corrections applied on top of botocore's model, shape name -> traits to set.
#
# PasswordType.min = 6: the wire contract we implement (the API document) shows the
# service answering a short password with "1 validation error detected: Value at
# 'password' failed to satisfy constraint: Member must have length greater than or
# equal to 6", which is what Cognito returned while its published model had min 6 on
# PasswordType; newer botocore releases dropped that minimum, so it is restored here.
OVERRIDES: dict[str, dict[str, Any]] = {
    "PasswordType": {"min": 6},
}


def _is_public(op: Mapping[str, Any]) -> bool:
    """True when the operation needs no AWS signature (botocore: authtype none / noAuth)."""
    if op.get("authtype") == "none":
        return True
    auth = op.get("auth")
    return isinstance(auth, list) and "smithy.api#noAuth" in auth


def _shape_entry(shape: Mapping[str, Any]) -> dict[str, Any]:
    kind = shape["type"]
    if kind == "structure" and shape.get("document"):
        kind = "document"
    if kind not in _TYPES:
        raise ValueError(f"unsupported shape type {kind!r}")
    entry: dict[str, Any] = {"type": kind}
    if kind == "structure":
        # Model order kept on purpose: it is the order the validator reports in.
        entry["members"] = {name: m["shape"] for name, m in shape.get("members", {}).items()}
        if shape.get("required"):
            entry["required"] = list(shape["required"])
    elif kind == "list":
        entry["member"] = shape["member"]["shape"]
    elif kind == "map":
        entry["key"] = shape["key"]["shape"]
        entry["value"] = shape["value"]["shape"]
    for trait in _SCALAR_TRAITS:
        if trait in shape:
            entry[trait] = shape[trait]
    if "enum" in shape:
        entry["enum"] = list(shape["enum"])
    return entry


def _children(entry: Mapping[str, Any]) -> list[str]:
    if entry["type"] == "structure":
        return list(entry["members"].values())
    if entry["type"] == "list":
        return [entry["member"]]
    if entry["type"] == "map":
        return [entry["key"], entry["value"]]
    return []


def _sorted_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    # Keys sorted; the values of "members", "required" and "enum" keep model order.
    return {key: entry[key] for key in sorted(entry)}


def build_model(service_data: Mapping[str, Any], botocore_version: str) -> dict[str, Any]:
    """The model.json content for botocore's raw cognito-idp service description."""
    raw_shapes: Mapping[str, Mapping[str, Any]] = service_data["shapes"]
    raw_ops: Mapping[str, Mapping[str, Any]] = service_data["operations"]

    operations: dict[str, Any] = {}
    for name in sorted(raw_ops):
        op = raw_ops[name]
        input_ref = op.get("input")
        operations[name] = {
            "errors": [err["shape"] for err in op.get("errors", [])],
            "input": input_ref["shape"] if input_ref else None,
            "public": _is_public(op),
        }

    # Every shape reachable from the input shapes only.
    shapes: dict[str, dict[str, Any]] = {}
    pending = sorted({op["input"] for op in operations.values() if op["input"]})
    while pending:
        name = pending.pop()
        if name in shapes:
            continue
        entry = _shape_entry(raw_shapes[name])
        shapes[name] = entry
        pending.extend(child for child in _children(entry) if child not in shapes)

    for name, traits in OVERRIDES.items():
        if name not in shapes:
            raise KeyError(f"override for unknown or unreachable shape {name!r}")
        shapes[name].update(traits)

    metadata = service_data["metadata"]
    return {
        "botocore_version": botocore_version,
        "service": {
            "api_version": metadata["apiVersion"],
            "protocol": metadata["protocol"],
            "target_prefix": metadata["targetPrefix"],
        },
        "overrides": {
            name: dict(sorted(traits.items())) for name, traits in sorted(OVERRIDES.items())
        },
        "operations": operations,
        "shapes": {name: _sorted_entry(shapes[name]) for name in sorted(shapes)},
    }


def render(model: Mapping[str, Any]) -> str:
    """Serialise deterministically: one line per operation and per shape.

    The dict orders built above are already canonical, so no re-sorting happens here.
    """

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    lines = ["{"]
    for index, (key, value) in enumerate(model.items()):
        comma = "," if index < len(model) - 1 else ""
        if key in ("operations", "shapes"):
            lines.append(f" {dump(key)}:{{")
            entries = list(value.items())
            for pos, (name, entry) in enumerate(entries):
                tail = "," if pos < len(entries) - 1 else ""
                lines.append(f"  {dump(name)}:{dump(entry)}{tail}")
            lines.append(f" }}{comma}")
        else:
            lines.append(f" {dump(key)}:{dump(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate() -> str:
    """model.json's text from the installed botocore."""
    import botocore
    import botocore.session

    data = botocore.session.get_session().get_service_data(SERVICE)
    return render(build_model(data, botocore.__version__))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; rerun {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
