"""The only thing that crosses between the grader and its sandbox worker: frames of JSON and .npy.

A message is::

    b"BPF2" | u32 header length | u32 table length | u32 blob count
    header: a UTF-8 JSON object | table: a UTF-8 JSON list, one entry per array
    then, per blob: u64 length | .npy bytes (written with allow_pickle=False)

Arrays of one plain dtype (native numbers, C order) travel together: one 1-D .npy "pool" per
dtype holds them all, and the table gives each array as ``[blob, offset, shape]``. Any other
array is a blob of its own, ``[blob]``. A chunk of replies carries a few hundred small arrays,
and one .npy blob each cost more than the numbers in them.

Both sides read messages with `Decoder`, which checks every length against its caps *before*
it allocates anything, reads an .npy header itself (so a header that claims a huge shape
costs nothing), checks every table entry against its blob and the per-array cap, refuses
object dtypes, and never unpickles (the pickle module's docs: never
unpickle untrusted data; NumPy's ``np.load`` refuses pickles by default since 1.16.3, CVE-2019-6446). What the arrays and header *mean* is
checked by whoever reads them (runner.py, worker.py).

The worker loads this file by path (it must not import the ``grader`` package), so: NumPy and
the standard library only.
"""

import io
import json
import math
import os
import re
import struct

import numpy as np

MAGIC = b"BPF2"
_PREFIX = struct.Struct("<4sIII")  # magic, header length, table length, blob count
_LENGTH = struct.Struct("<Q")      # length of one .npy blob
MAX_HEADER = 1 << 22               # bytes of JSON in one message (a chunk of replies)
MAX_ARRAYS = 1 << 16               # arrays in one message (a batch of cases sends many)
MAX_TABLE = 1 << 22                # bytes of the table of arrays
MAX_DIMS = 32
MAX_NPY_HEADER = 10_000            # numpy's own default for np.load's max_header_size


class FrameError(ValueError):
    """The bytes are not a well-formed message within the caps; the text says what is wrong."""


_HEADERS = {}    # (dtype, shape, fortran order) -> .npy header bytes, for the writer
_PARSED = {}     # .npy header bytes -> (shape, fortran order, dtype), for the reader
_CACHE_SIZE = 4096


def npy_bytes(array: np.ndarray) -> bytes:
    """The .npy form of `array` (np.save's bytes). Raises ValueError for object and custom dtypes.

    Examples repeat a few shapes thousands of times, so headers are made once per
    (dtype, shape, order): numpy formats them with ast-friendly text, at ~50 us apiece.
    """
    dtype = array.dtype
    if dtype.names is not None or dtype.subdtype is not None or dtype.kind not in "biufcSUMm" \
            or not getattr(type(dtype), "_legacy", True):
        out = io.BytesIO()
        np.lib.format.write_array(out, array, allow_pickle=False)
        return out.getvalue()
    fortran = bool(array.flags.f_contiguous and not array.flags.c_contiguous)
    key = (dtype, array.shape, fortran)
    header = _HEADERS.get(key)
    if header is None:
        header = _simple_header(dtype, array.shape, fortran) if _SIMPLE_DESCR.fullmatch(dtype.str) else None
        if header is None:
            out = io.BytesIO()
            data = np.lib.format.header_data_from_array_1_0(array)
            try:
                np.lib.format.write_array_header_1_0(out, data)
            except ValueError:  # a header too long for format 1.0
                out = io.BytesIO()
                np.lib.format.write_array_header_2_0(out, data)
            header = out.getvalue()
        if len(_HEADERS) >= _CACHE_SIZE:
            _HEADERS.clear()
        _HEADERS[key] = header
    return header + array.tobytes(order="F" if fortran else "C")


# The header numpy writes for a plain dtype, e.g. {'descr': '<f8', 'fortran_order': False,
# 'shape': (2, 3), } then spaces and a newline. Made and read here directly (numpy's own
# writer and reader, kept for every other header, take ~50 us apiece: a few thousand distinct
# shapes per worker would cost more than the arrays). The reader accepts exactly this layout.
_SIMPLE_DESCR = re.compile(r"[<>|][biufc][0-9]{1,2}")
_SIMPLE_HEADER = re.compile(rb"\{'descr': '([<>|][biufc][0-9]{1,2})', 'fortran_order': (True|False), "
                            rb"'shape': \(((?:[0-9]{1,18}, )*(?:[0-9]{1,18},?)?)\), \} *\n")


def _simple_header(dtype, shape, fortran: bool):
    """Format 1.0 header bytes for a plain dtype, padded as numpy pads them; None if too long."""
    text = f"{{'descr': '{dtype.str}', 'fortran_order': {fortran}, 'shape': {tuple(shape)!r}, }}"
    length = len(text) + 1
    length += -(10 + length) % 64
    if length > 0xFFFF:
        return None
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", length) + text.ljust(length - 1).encode("ascii") + b"\n"


def _parse_simple(text: bytes):
    """(shape, fortran order, dtype) of a header in numpy's plain layout, else None."""
    match = _SIMPLE_HEADER.fullmatch(text)
    if match is None:
        return None
    descr, fortran, dims = match.groups()
    shape = tuple(int(d) for d in dims.replace(b",", b" ").split())
    if len(shape) > 32:
        return None
    return shape, fortran == b"True", np.dtype(descr.decode("ascii"))


_POOLED = {}   # dtype -> whether its arrays travel in a pool (native byte order, plain numbers)


def encode(header: dict, arrays=()) -> bytes:
    pools, table, blobs = {}, [], []
    for array in arrays:
        dtype = array.dtype
        pooled = _POOLED.get(dtype)
        if pooled is None:
            pooled = _POOLED[dtype] = bool(dtype.isnative and _SIMPLE_DESCR.fullmatch(dtype.str))
        if pooled:  # in C order: a Fortran-ordered array arrives C-ordered, with the same values
            pool = pools.get(dtype)
            if pool is None:
                pool = pools[dtype] = [len(blobs), [], 0]
                blobs.append(None)
            table.append([pool[0], pool[2], array.shape])
            pool[1].append(array)
            pool[2] += array.size
        else:
            table.append([len(blobs)])
            blobs.append(npy_bytes(array))
    for index, members, _ in pools.values():   # axis=None: each flattened in C order, as one pool
        blobs[index] = npy_bytes(np.concatenate(members, axis=None))
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    listing = json.dumps(table, separators=(",", ":")).encode("utf-8")
    parts = [_PREFIX.pack(MAGIC, len(text), len(listing), len(blobs)), text, listing]
    for blob in blobs:
        parts += [_LENGTH.pack(len(blob)), blob]
    return b"".join(parts)


def _npy_header(blob, at: int = 0, end: int = None) -> tuple:
    """(shape, fortran order, dtype, data offset) of the .npy bytes blob[at:end], trusting none of it."""
    end = len(blob) if end is None else end
    if end - at < 10 or bytes(blob[at:at + 6]) != b"\x93NUMPY":
        raise FrameError("an array that is not in .npy format")
    major = blob[at + 6]
    if major == 1:
        (length,), start = struct.unpack_from("<H", blob, at + 8), at + 10
    elif major == 2 and end - at >= 12:
        (length,), start = struct.unpack_from("<I", blob, at + 8), at + 12
    else:
        raise FrameError(f"unsupported .npy version {major}")
    if length > MAX_NPY_HEADER or end < start + length:
        raise FrameError("an .npy header over the size limit")
    text = bytes(blob[start:start + length])
    parsed = _PARSED.get(text)
    if parsed is None:
        simple = _parse_simple(text)
        if simple is not None:
            shape, fortran, dtype = simple
        else:
            stream = io.BytesIO(bytes(blob[at:start + length]))
            try:
                np.lib.format.read_magic(stream)
                read = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
                shape, fortran, dtype = read(stream, max_header_size=MAX_NPY_HEADER)
            except Exception as error:  # noqa: BLE001 - any malformed header
                raise FrameError(f"bad .npy header ({type(error).__name__})") from None
        if dtype.hasobject:
            raise FrameError("an array of Python objects")
        parsed = shape, fortran, dtype, math.prod(shape)
        if len(_PARSED) >= _CACHE_SIZE:
            _PARSED.clear()
        _PARSED[text] = parsed
    shape, fortran, dtype, count = parsed
    return shape, fortran, dtype, count, start + length


def _array(data, at: int, end: int, max_bytes: int) -> np.ndarray:
    """The array whose .npy bytes are data[at:end]: a view of `data` (no copy), or FrameError."""
    shape, fortran, dtype, count, offset = _npy_header(data, at, end)
    size = count * dtype.itemsize
    if size > max_bytes:
        raise FrameError(f"an array of {size} bytes (the limit is {max_bytes})")
    if end - offset != size:
        raise FrameError("an .npy blob whose length does not match its header")
    if not count or not dtype.itemsize:
        return np.zeros(shape, dtype)
    try:
        return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape, order="F" if fortran else "C")
    except (ValueError, TypeError) as error:
        raise FrameError(f"unreadable array data ({error})") from None


def load_npy(blob, max_bytes: int) -> np.ndarray:
    """A writeable ndarray from .npy bytes, or FrameError. Never pickles, never over-allocates."""
    return _array(bytearray(blob), 0, len(blob), max_bytes)


class Decoder:
    """Turns a byte stream into messages: ``feed(bytes) -> [(header dict, [ndarray, ...]), ...]``.

    Each message is copied once, into a buffer of its own that its arrays are views of: they are
    writeable, and nothing else ever writes to that buffer.
    """

    def __init__(self, max_array_bytes: int, max_message_bytes: int = 1 << 30):
        self.max_array_bytes = max_array_bytes
        self.max_message_bytes = max_message_bytes
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list:
        self._buffer += data
        messages, start = [], 0
        while True:
            parsed = self._parse(start)
            if parsed is None:
                break
            message, start = parsed
            messages.append(message)
        del self._buffer[:start]
        return messages

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a whole message."""
        return len(self._buffer)

    def _parse(self, start: int):
        buffer = self._buffer
        if len(buffer) - start < _PREFIX.size:
            return None
        magic, header_length, table_length, count = _PREFIX.unpack_from(buffer, start)
        if magic != MAGIC:
            raise FrameError("a message that does not start with the frame marker")
        if header_length > MAX_HEADER or table_length > MAX_TABLE or count > MAX_ARRAYS:
            raise FrameError(f"a message with a {header_length}-byte header, a {table_length}-byte table "
                             f"and {count} arrays")
        position = start + _PREFIX.size + header_length + table_length
        if len(buffer) < position:
            return None
        blobs = []
        for _ in range(count):
            if len(buffer) < position + _LENGTH.size:
                return None
            (length,) = _LENGTH.unpack_from(buffer, position)
            position += _LENGTH.size
            if position + length - start > self.max_message_bytes:
                raise FrameError(f"a message over {self.max_message_bytes} bytes")
            if len(buffer) < position + length:
                return None
            blobs.append((position - start, length))
            position += length
        message = bytearray(buffer[start:position])
        at = _PREFIX.size + header_length
        header, table = _json(message[_PREFIX.size:at]), _json(message[at:at + table_length])
        if not isinstance(header, dict):
            raise FrameError("a header that is not a JSON object")
        if not isinstance(table, list) or len(table) > MAX_ARRAYS:
            raise FrameError("a table of arrays that is not a list")
        sources = [_array(message, at, at + length, self.max_message_bytes) for at, length in blobs]
        return (header, [self._entry(entry, sources) for entry in table]), position

    def _entry(self, entry, sources: list) -> np.ndarray:
        """The array a table entry names: a whole blob, or a slice of a 1-D pool. Trusts nothing."""
        if type(entry) is not list or len(entry) not in (1, 3) or type(entry[0]) is not int \
                or not 0 <= entry[0] < len(sources):
            raise FrameError("a malformed table entry")
        source = sources[entry[0]]
        if len(entry) == 1:
            array = source
        else:
            offset, shape = entry[1], entry[2]
            if source.ndim != 1 or type(offset) is not int or offset < 0 or type(shape) is not list \
                    or len(shape) > MAX_DIMS:
                raise FrameError("a malformed table entry")
            for n in shape:
                if type(n) is not int or n < 0:
                    raise FrameError("a malformed table entry")
            size = math.prod(shape)
            if offset + size > source.size:
                raise FrameError("a table entry outside its blob")
            array = source[offset:offset + size].reshape(shape)
        if array.nbytes > self.max_array_bytes:
            raise FrameError(f"an array of {array.nbytes} bytes (the limit is {self.max_array_bytes})")
        return array


def _json(data):
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise FrameError("a header that is not JSON") from None


class Channel:
    """Blocking send and receive on two pipe descriptors (the worker's side)."""

    def __init__(self, read_fd: int, write_fd: int, max_array_bytes: int):
        self.read_fd, self.write_fd = read_fd, write_fd
        self._decoder = Decoder(max_array_bytes)
        self._ready = []

    def receive(self):
        """The next (header, arrays); None at end of stream."""
        while not self._ready:
            data = os.read(self.read_fd, 1 << 20)
            if not data:
                return None
            self._ready += self._decoder.feed(data)
        return self._ready.pop(0)

    def send(self, header: dict, arrays=()) -> None:
        self.write(encode(header, arrays))

    def write(self, message: bytes) -> None:
        view = memoryview(message)
        while view:
            view = view[os.write(self.write_fd, view):]
