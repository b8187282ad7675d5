"""A log formatter that fails on a record without `user`: logging catches the error, reports it
and goes on (tests/test_failures.rs: `catch user-unhandled` stops in format)."""
import logging
import sys


class UserFormatter(logging.Formatter):
    def format(self, record):
        user = record.__dict__["user"]
        return f"{user}: {record.getMessage()}"


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(UserFormatter())
log = logging.getLogger("demo")
log.addHandler(handler)
log.warning("hello", extra={"user": "ann"})
log.warning("no user")
print("done")
