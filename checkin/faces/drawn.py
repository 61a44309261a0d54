"""Portraits drawn with Pillow, for the demo's people: a head and shoulders on a soft
background, different for each seed (no photo is downloaded)."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

SIZE = 640
SKIN = [(241, 194, 167), (224, 172, 138), (198, 134, 97), (160, 104, 72), (114, 74, 52),
        (250, 214, 190)]
HAIR = [(35, 25, 20), (90, 56, 37), (160, 112, 60), (210, 170, 100), (120, 120, 125),
        (150, 50, 30)]
CLOTHES = [(38, 70, 140), (30, 110, 90), (150, 40, 60), (60, 60, 70), (200, 140, 40),
           (110, 60, 140)]
BACKDROPS = [((214, 228, 240), (160, 190, 220)), ((236, 226, 208), (200, 180, 150)),
             ((220, 236, 220), (170, 205, 175)), ((240, 220, 226), (210, 170, 185))]


def drawn_portrait(seed: int) -> bytes:
    """A 640 px JPEG portrait, the same for the same ``seed``."""
    rng = random.Random(seed)
    top, bottom = rng.choice(BACKDROPS)
    image = Image.linear_gradient("L").resize((SIZE, SIZE))
    image = Image.composite(Image.new("RGB", image.size, bottom),
                            Image.new("RGB", image.size, top), image)
    draw = ImageDraw.Draw(image)
    skin, hair, clothes = rng.choice(SKIN), rng.choice(HAIR), rng.choice(CLOTHES)
    cx = SIZE // 2 + rng.randint(-30, 30)
    head_w, head_h = rng.randint(215, 245), rng.randint(270, 300)
    head_top = rng.randint(90, 120)
    # Shoulders, neck, hair behind, head, hair on top, eyes, mouth.
    draw.rounded_rectangle((cx - 250, head_top + head_h + 40, cx + 250, SIZE + 120), 150,
                           fill=clothes)
    draw.rectangle((cx - 45, head_top + head_h - 40, cx + 45, head_top + head_h + 70), fill=skin)
    long_hair = rng.random() < 0.5
    if long_hair:
        draw.rounded_rectangle((cx - head_w // 2 - 25, head_top - 20, cx + head_w // 2 + 25,
                                head_top + head_h + 60), 90, fill=hair)
    draw.ellipse((cx - head_w // 2, head_top, cx + head_w // 2, head_top + head_h), fill=skin)
    draw.chord((cx - head_w // 2 - 8, head_top - 28, cx + head_w // 2 + 8,
                head_top + head_h * 0.55), 180, 360, fill=hair)
    eye_y, eye_dx = head_top + int(head_h * 0.5), head_w // 5
    for side in (-1, 1):
        x = cx + side * eye_dx
        draw.ellipse((x - 11, eye_y - 8, x + 11, eye_y + 8), fill=(250, 250, 250))
        draw.ellipse((x - 6, eye_y - 6, x + 6, eye_y + 6), fill=(40, 30, 30))
    mouth_y = head_top + int(head_h * 0.74)
    draw.arc((cx - 38, mouth_y - 22, cx + 38, mouth_y + 18), 20, 160, fill=(150, 60, 60),
             width=6)
    image = image.filter(ImageFilter.GaussianBlur(1.2))  # soft, as a phone camera is
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()
