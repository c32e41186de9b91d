"""Files for the media tests and benches, made on the spot: photos with GPS in their EXIF, bombs, impostors."""
from __future__ import annotations

import gzip
import io
import os
import zipfile

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(*, width: int = 640, height: int = 480, gps: bool = True, orientation: int = 1,
          noise: bool = False) -> bytes:
    """A JPEG like a phone's: EXIF with the camera, and GPS coordinates (Shanghai) unless `gps` is False;
    `noise` makes it incompressible (a realistic size for its pixels)."""
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 48.0), 3: "E", 4: (121.0, 28.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=92)
    return out.getvalue()


def photo_of_size(size: int) -> bytes:
    """A noisy JPEG of about `size` bytes (at least), EXIF with GPS included."""
    side = max(64, int((size / 1.2) ** 0.5))
    data = photo(width=side, height=side, noise=True)
    while len(data) < size:
        side = int(side * 1.1)
        data = photo(width=side, height=side, noise=True)
    return data


def png(width: int = 32, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def pixel_bomb(width: int = 12000, height: int = 12000) -> bytes:
    """A tiny PNG that would decode to `width` x `height` pixels."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def zip_bomb(unpacked: int = 50 * 1024 * 1024) -> bytes:
    """A zip of one file of `unpacked` zero bytes: a few dozen KB packed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * unpacked)
    return out.getvalue()


def gzip_bomb(unpacked: int = 50 * 1024 * 1024) -> bytes:
    return gzip.compress(b"\0" * unpacked)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AMR = b"#!AMR\n" + bytes(200)
