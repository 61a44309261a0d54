"""Test helpers for QR codes: decode with zxing-cpp, and film one for a fake camera."""

import io
from pathlib import Path

import segno
import zxingcpp
from PIL import Image


def decode_qr(image: bytes | Image.Image) -> list[str]:
    """Every QR text zxing-cpp finds in a PNG (bytes) or an image."""
    if isinstance(image, bytes | bytearray):
        image = Image.open(io.BytesIO(image))
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))
            if r.format == zxingcpp.BarcodeFormat.QRCode]


def qr_video(payload: str | list[str], path: Path, width: int = 640, height: int = 480,
             frames: int = 30) -> Path:
    """A Y4M video of ``payload``'s QR on white, for Chromium's fake camera.

    With a list of payloads, each fills an equal share of the frames in turn (15 frames
    play in one second; the video loops)."""
    payloads = [payload] if isinstance(payload, str) else payload
    chroma = bytes([128]) * (width // 2 * height // 2)
    planes = [_y_plane(p, width, height) for p in payloads]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for index in range(frames):
            y_plane = planes[index * len(planes) // frames]
            out.write(b"FRAME\n" + y_plane + chroma + chroma)
    return path


def _y_plane(payload: str, width: int, height: int) -> bytes:
    code = segno.make(payload, error="m", micro=False)
    png = io.BytesIO()
    size = min(width, height) - 80
    scale = max(1, size // (code.symbol_size(border=4)[0]))
    code.save(png, kind="png", scale=scale, border=4)
    qr = Image.open(png).convert("L")
    frame = Image.new("L", (width, height), 255)
    frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    return frame.tobytes()
