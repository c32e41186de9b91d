"""Media kept with tickets: a content-addressed blob store behind one small interface, and the checks every file
passes before staff see it (size, type sniffed from the bytes, bombs, photo metadata, thumbnails)."""
from core.media.blobs import BlobStore, BlobUnavailable, LocalBlobStore
from core.media.inspect import MediaRejected, Prepared, prepare, thumbnail
from core.media.keeper import Kept, MediaKeeper

__all__ = ["BlobStore", "BlobUnavailable", "Kept", "LocalBlobStore", "MediaKeeper", "MediaRejected", "Prepared",
           "prepare", "thumbnail"]
