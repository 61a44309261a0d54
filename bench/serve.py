"""The app as the benchmark serves it: settings from BENCH_* variables, no demo data."""

import os

from checkin import create_app

app = create_app(
    {"SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
     "CHECKIN_BASE_URL": os.environ.get("BENCH_BASE_URL", "http://127.0.0.1"),
     "SECRET_KEY": "bench-secret",
     "CHECKIN_MAIL_URL": os.environ.get("BENCH_MAIL_URL", "file:///tmp/checkin-bench-outbox")},
    instance_path=os.environ["BENCH_INSTANCE"],
)
