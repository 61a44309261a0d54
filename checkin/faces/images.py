"""Reading an uploaded photo with Pillow: refused unless it is a whole, reasonably sized
image; turned upright by its EXIF, then stripped of it (no GPS leaves the server); cropped
square and stored in two small sizes. Pure: bytes in, bytes out."""

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from checkin.errors import DomainError

LARGE = 512  # px: the card, the door's answer
THUMB = 192  # px: lists, emails, vCards (a 64 px face on a 3x phone screen)
MAX_BYTES = 15 * 1024 * 1024  # a phone camera's photo is 2 to 8 MB
# A 48-megapixel phone camera's photo passes; a decompression bomb (a small file that
# unpacks into gigabytes, such as 20,000 × 20,000) is refused before it is decoded.
MAX_PIXELS = 50_000_000
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")  # a camera's MPO opens as a JPEG
LARGE_QUALITY = 70
THUMB_QUALITY = 80


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo as stored: the 512 px WebP and the 192 px JPEG, neither with metadata."""

    large: bytes
    thumb: bytes


def refusal(code: str, message) -> DomainError:
    return DomainError(code, message, field="photo")


NOT_AN_IMAGE = _l("This file is not a photo we can read. Choose a JPEG, PNG or WebP image.")
TOO_BIG = _l("This photo is too big. Choose one under 15 MB.")
TOO_MANY_PIXELS = _l("This image is too large to be a photo (over 50 megapixels). "
                     "Choose a smaller one.")
TRUNCATED = _l("This photo did not arrive whole (the file is cut short). Try again.")


def process_photo(data: bytes) -> ProcessedPhoto:
    """``data`` (an uploaded file) as a stored photo, or a refusal naming the ``photo`` field:
    not an image, over 15 MB, over 50 megapixels, or cut short."""
    if len(data) > MAX_BYTES:
        raise refusal("photo_too_big", TOO_BIG)
    with warnings.catch_warnings():
        # Pillow warns (then refuses) above its own limit; ours is lower and checked first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (UnidentifiedImageError, Image.DecompressionBombError,
                Image.DecompressionBombWarning) as error:
            if isinstance(error, UnidentifiedImageError):
                raise refusal("not_an_image", NOT_AN_IMAGE) from error
            raise refusal("too_many_pixels", TOO_MANY_PIXELS) from error
        except (OSError, ValueError, SyntaxError) as error:
            raise refusal("not_an_image", NOT_AN_IMAGE) from error
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise refusal("too_many_pixels", TOO_MANY_PIXELS)
        try:
            square = _upright_square(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise refusal("too_many_pixels", TOO_MANY_PIXELS) from error
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            # Pillow: "image file is truncated", "broken data stream", …
            raise refusal("photo_truncated", TRUNCATED) from error
    return ProcessedPhoto(large=_encode(square, LARGE, "WEBP", LARGE_QUALITY),
                          thumb=_encode(square, THUMB, "JPEG", THUMB_QUALITY))


def photo_from_upload(upload) -> ProcessedPhoto | None:
    """The photo in a form's file field (a werkzeug ``FileStorage``), or ``None`` when no file
    was chosen; refused as ``process_photo`` says."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return process_photo(upload.stream.read(MAX_BYTES + 1))


def _upright_square(image: Image.Image) -> Image.Image:
    """The whole image decoded, turned as its EXIF says, flattened to RGB and cropped to a
    square (a little above the middle of a tall photo, where a face usually is)."""
    if image.format in ("JPEG", "MPO"):
        image.draft("RGB", (LARGE * 2, LARGE * 2))  # decode a 12 MP photo at 1/4 scale
    image.load()
    image = ImageOps.exif_transpose(image)
    image = _in_srgb(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    width, height = image.size
    side = min(width, height)
    left = (width - side) // 2
    top = int((height - side) * 0.3)
    return image.crop((left, top, left + side, top + side))


def _in_srgb(image: Image.Image) -> Image.Image:
    """A phone's photo in its own colour space (an iPhone's Display P3) turned into sRGB,
    which is what a browser assumes once the profile is stripped."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        return ImageCms.profileToProfile(image, io.BytesIO(profile), _SRGB,
                                         outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are


_SRGB = ImageCms.createProfile("sRGB")


def _encode(square: Image.Image, size: int, kind: str, quality: int) -> bytes:
    # A new image carries no metadata over: no EXIF, no GPS, no comment, no ICC profile.
    resized = square.resize((min(size, square.width),) * 2, Image.Resampling.LANCZOS)
    clean = Image.frombytes("RGB", resized.size, resized.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    else:
        clean.save(out, "WEBP", quality=quality, method=6)
    return out.getvalue()
