"""What kind of file a model file is, told from its content: skops, pickle, joblib, ONNX or other.

mlci keeps any model file a run declares, registers it and serves it back as bytes; it loads only
skops files (see `mlci.training.modelfile`). The format is read from the bytes, because names lie in
both directions: DVC and CML projects write `model.pkl` with joblib, `model.bin` may be a pickle, and
a PyTorch checkpoint is a zip archive with a pickle inside. The extension decides only when the
content says nothing (a protocol 0 pickle is plain text; an lz4-compressed joblib file needs a
library mlci does not have). Nothing here unpickles or parses a model: it reads magic numbers, a zip
archive's list of names, and the first bytes of a compressed stream.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zipfile
import zlib
from pathlib import PurePath

SKOPS, PICKLE, JOBLIB, ONNX, OTHER = "skops", "pickle", "joblib", "onnx", "other"
MODEL_FORMATS = (SKOPS, PICKLE, JOBLIB, ONNX, OTHER)
PICKLE_BASED = (PICKLE, JOBLIB)
"""Formats that are loaded by unpickling, which runs whatever code the file holds."""

DESCRIPTIONS = {
    SKOPS: "a skops file",
    PICKLE: "a pickle file",
    JOBLIB: "a joblib file (a pickle)",
    ONNX: "an ONNX file",
    OTHER: "a file of a format mlci does not know",
}

_PICKLE_EXTENSIONS = {".pkl": PICKLE, ".pickle": PICKLE, ".sav": PICKLE, ".joblib": JOBLIB}
# joblib writes this module's name into every pickle that holds a numpy array.
_JOBLIB_MARK = b"joblib.numpy_pickle"
# The magic numbers of joblib's compressors (joblib/compressor.py); lz4 is told by them alone.
_LZ4 = b"\x04\x22\x4d\x18"
# ONNX is a protobuf `ModelProto`: field 1 (ir_version, a small varint) comes first, then one of
# the fields that follow it in the message (producer_name, ..., graph, opset_import, metadata_props).
_ONNX_SECOND_TAGS = {0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42, 0x72}
_HEAD = 64 * 1024


def model_format(content: bytes, name: str = "") -> str:
    """The format of the model file `content` (named `name`): one of `MODEL_FORMATS`."""
    suffix = PurePath(name).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        return _zip_format(content)
    if _is_pickle(content):
        return JOBLIB if suffix == ".joblib" or _JOBLIB_MARK in content else PICKLE
    if _is_pickle(_decompressed_head(content)) or (content.startswith(_LZ4) and suffix in _PICKLE_EXTENSIONS):
        return JOBLIB
    if _is_onnx(content) or suffix == ".onnx":
        return ONNX
    return _PICKLE_EXTENSIONS.get(suffix, OTHER)


def describe_format(model_format: str) -> str:
    """`a pickle file`, `an ONNX file`, ...: the format as a message names it."""
    return DESCRIPTIONS.get(model_format, DESCRIPTIONS[OTHER])


def _zip_format(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return OTHER
    if "schema.json" in names:
        return SKOPS
    # PyTorch's checkpoints (`torch.save`) are zip archives whose `data.pkl` is loaded by unpickling.
    if any(member.endswith(".pkl") for member in names):
        return PICKLE
    return OTHER


def _is_pickle(head: bytes) -> bool:
    """Protocol 2 and later begin with PROTO and the protocol's number."""
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _decompressed_head(content: bytes) -> bytes:
    """The first bytes of `content` decompressed as joblib may have compressed it, or b""."""
    head = content[:_HEAD]
    try:
        if head.startswith(b"\x1f\x8b"):
            return zlib.decompressobj(wbits=31).decompress(head, 16)
        if head.startswith(b"\x78"):
            return zlib.decompressobj().decompress(head, 16)
        if head.startswith(b"BZh"):
            return bz2.BZ2Decompressor().decompress(head, max_length=16)
        if head.startswith((b"\xfd7zXZ\x00", b"\x5d\x00")):
            return lzma.LZMADecompressor().decompress(head, max_length=16)
    except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
        return b""
    return b""


def _is_onnx(content: bytes) -> bool:
    return len(content) >= 3 and content[0] == 0x08 and 0 < content[1] < 0x80 and content[2] in _ONNX_SECOND_TAGS
