"""segno against qrcode on the same card URL: time per code, version and size, SVG and PNG.

    python bench/qr_libraries.py [--repeat 200]

Both draw error correction M with a 4-module quiet zone, as the card QR wants.
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASE_URL = "https://checkin.example.org:80"  # 30 characters
PAYLOAD = f"{BASE_URL}/C/7K3M9QXR2T".upper()


def segno_svg():
    import segno

    code = segno.make(PAYLOAD, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=4, xmldecl=False, svgns=True, nl=False, scale=1,
              omitsize=True)
    return code.version, out.getvalue()


def segno_png():
    import segno

    code = segno.make(PAYLOAD, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", border=4, scale=10)
    return code.version, out.getvalue()


def _qrcode(factory=None):
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10,
                       image_factory=factory)
    qr.add_data(PAYLOAD)
    qr.make(fit=True)
    return qr


def qrcode_svg():
    from qrcode.image.svg import SvgPathImage

    qr = _qrcode(SvgPathImage)
    out = io.BytesIO()
    qr.make_image().save(out)
    return qr.version, out.getvalue()


def qrcode_png():
    qr = _qrcode()
    out = io.BytesIO()
    qr.make_image().save(out)
    return qr.version, out.getvalue()


def timed(function, repeat: int) -> tuple[float, int, int]:
    function()
    start = time.perf_counter()
    for _ in range(repeat):
        version, data = function()
    return (time.perf_counter() - start) / repeat * 1000, version, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(f"payload: {PAYLOAD} ({len(PAYLOAD)} characters)")
    print(f"{'library':<10}{'format':<8}{'ms/code':>9}{'version':>9}{'bytes':>8}")
    for name, function in (("segno", segno_svg), ("qrcode", qrcode_svg), ("segno", segno_png),
                           ("qrcode", qrcode_png)):
        ms, version, size = timed(function, args.repeat)
        kind = "svg" if function.__name__.endswith("svg") else "png"
        print(f"{name:<10}{kind:<8}{ms:>9.2f}{version:>9}{size:>8}")


if __name__ == "__main__":
    main()
