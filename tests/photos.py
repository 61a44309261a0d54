"""Photos for the tests, drawn with Pillow: a phone's JPEG with EXIF, a PNG, a WebP."""

import io

from PIL import ExifTags, Image, ImageDraw, ImageFilter

ORIENTATION = 0x0112


def halves(width: int = 1200, height: int = 600) -> Image.Image:
    """Left half red, right half blue: which way up it is can be read back."""
    image = Image.new("RGB", (width, height), (220, 30, 30))
    ImageDraw.Draw(image).rectangle((width // 2, 0, width, height), fill=(30, 30, 220))
    return image


def phone_jpeg(orientation: int = 6) -> bytes:
    """A JPEG as a phone saves it held upright: stored sideways, with the turn to apply in
    EXIF (6: a quarter turn clockwise), the camera's make and where it was taken (GPS)."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (40.0, 25.0, 1.5),
        ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (3.0, 42.0, 9.0)}
    out = io.BytesIO()
    halves().save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def _noise(size: int, scales, seed: int) -> Image.Image:
    """Colour noise at a few scales (coarse blotches to fine texture), like a photo's."""
    image = Image.new("RGB", (size, size), (128, 128, 128))
    for scale in scales:
        layer = Image.merge("RGB", [Image.effect_noise((scale, scale), 60 + seed + k)
                                    .resize((size, size), Image.Resampling.BICUBIC)
                                    for k in range(3)])
        image = Image.blend(image, layer, 0.45)
    return image


def portrait(size: int = 1600, seed: int = 7, busy: bool = False) -> Image.Image:
    """A photo-like portrait that compresses as a phone's photo does: a soft background, a
    textured face and shoulders, a little sensor grain. ``busy`` textures the background
    too (a crowd, leaves): harder to compress than most real portraits."""
    background = _noise(size, (6, 24, 96) if busy else (4, 12), seed)
    subject = Image.blend(Image.new("RGB", (size, size), (200, 150, 120)),
                          _noise(size, (24, 96), seed + 3), 0.35)
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((size * .3, size * .12, size * .7, size * .66), fill=255)
    draw.rounded_rectangle((size * .12, size * .64, size * .88, size * 1.2), size // 8, fill=255)
    image = Image.composite(subject, background, mask.filter(ImageFilter.GaussianBlur(6)))
    return Image.blend(image, Image.effect_noise((size, size), 80).convert("RGB"), 0.06)


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()
