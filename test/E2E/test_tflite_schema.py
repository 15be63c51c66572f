"""qcc's TFLite schema subset (lib/Import/TFLite/tflite.fbs, from which flatc generates the
importer's reader) against TFLite's own generated schema in the ai-edge-litert wheel
(schema_py_generated.py): every field id, enum value and union value qcc declares must be
TFLite's. A wrong id would make the importer read another field without any error."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from ai_edge_litert import schema_py_generated as tfl

FBS = Path(__file__).resolve().parents[2] / "lib" / "Import" / "TFLite" / "tflite.fbs"
TEXT = re.sub(r"//[^\n]*", "", FBS.read_text())


def camel(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def tables():
    for m in re.finditer(r"table (\w+) \{([^}]*)\}", TEXT):
        fields = re.findall(r"(\w+):\s*[\w\[\]]+[^;]*\(id: (\d+)", m.group(2))
        yield m.group(1), [(f, int(i)) for f, i in fields]


def enums():
    for m in re.finditer(r"(?:enum (\w+) : \w+|union (\w+)) \{([^}]*)\}", TEXT):
        yield m.group(1) or m.group(2), dict(
            (k, int(v)) for k, v in re.findall(r"(\w+) = (\d+)", m.group(3)))


def slot(cls, method):
    """The vtable offset a generated accessor reads: `self._tab.Offset(N)`."""
    import inspect
    src = inspect.getsource(getattr(cls, method))
    m = re.search(r"self\._tab\.Offset\((\d+)\)", src)
    return int(m.group(1)) if m else None


@pytest.mark.parametrize("table,fields", list(tables()), ids=[t for t, _ in tables()])
def test_table_field_ids(table, fields):
    cls = getattr(tfl, table)  # an empty options table must exist too
    for name, fid in fields:
        if name.endswith("_deprecated"):
            continue  # a slot TFLite retired: only the later ids can be checked
        if name.endswith("_placeholder"):
            # A slot qcc only declares: TFLite must have some field there.
            offsets = {slot(cls, m) for m in dir(cls) if not m.startswith("_")
                       and callable(getattr(cls, m))}
            assert 4 + 2 * fid in offsets, (table, name)
            continue
        method = camel(name)
        if table == "Operator" and name == "builtin_options":
            assert slot(cls, "BuiltinOptionsType") == 4 + 2 * (fid - 1)
        assert slot(cls, method) == 4 + 2 * fid, (table, name, fid)


@pytest.mark.parametrize("enum,values", list(enums()), ids=[e for e, _ in enums()])
def test_enum_values(enum, values):
    cls = getattr(tfl, enum)
    for k, v in values.items():
        assert getattr(cls, k) == v, (enum, k)
    if enum == "BuiltinOperator":
        # Every builtin TFLite knows, so that errors name them.
        theirs = {k: v for k, v in vars(cls).items() if not k.startswith("_")}
        assert theirs == values
