"""SQLite: the app's writers wait their turn on a lock that wakes them, not SQLite's sleeps."""

import contextlib
import fcntl
import os
import signal
import sqlite3
import threading
import time

# SQLite lets one connection write at a time. A writer that finds the write lock taken gets
# SQLITE_BUSY, and the busy timeout retries on a fixed schedule of sleeps (1, 2, 5, 10 … ms)
# that no release cuts short, although a check-in holds the lock for a fraction of a
# millisecond. So before a transaction's first write, a connection takes its turn: an
# exclusive flock on a file next to the database (``<database>-writer``), which the kernel
# grants to the next waiter the moment the holder lets go, and drops with a killed process.
# The turn is given back when the transaction ends (commit, rollback, close, or a statement
# that ran in autocommit). SQLite's own lock still decides: anyone who writes without a turn
# (the sqlite3 shell, another program) is waited for by SQLite's busy timeout, as before.
TURN_FILE_SUFFIX = "-writer"
_POLL_FIRST_S, _POLL_MAX_S = 0.000_05, 0.001  # a thread other than the main one polls

# Statements that need no turn: a plain read, and a PRAGMA (the connect hook's settings;
# SQLite's own lock guards the rare pragma that writes).
_NO_WRITE_PREFIXES = ("SELECT", "WITH", "PRAGMA", "VALUES")
_needs_turn: dict[str, bool] = {}  # statement → whether it may write (a few hundred of them)
_turns_held = threading.local()  # the paths this thread holds a turn on, through any connection


def needs_turn(statement: str) -> bool:
    """Whether ``statement`` may write, so a transaction starting with it takes its turn."""
    verdict = _needs_turn.get(statement)
    if verdict is None:
        from checkin.transactions import NOT_ONLY_A_READ

        head = statement.lstrip()[:7].upper()
        verdict = not head.startswith(_NO_WRITE_PREFIXES) or (
            not head.startswith("PRAGMA") and bool(NOT_ONLY_A_READ.search(statement)))
        if len(_needs_turn) >= 2000:
            _needs_turn.clear()
        _needs_turn[statement] = verdict
    return verdict


class TurnTimeout(sqlite3.OperationalError):
    """Another connection kept its write turn past the busy timeout: "database is locked"."""


class WriterQueueConnection(sqlite3.Connection):
    """A sqlite3 connection that takes the database's write turn before its first write.

    The connect hook switches it on with ``queue_for`` once it knows the database's file
    and the busy timeout; a database in memory has no file, and no turn.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.turn_path: str | None = None
        self.busy_timeout_ms = 0
        self._turn_fd: int | None = None
        self._turn_pid = 0
        self._holding = False
        self._timeout_shortened = False

    def queue_for(self, database_path: str, busy_timeout_ms: int) -> None:
        self.turn_path = database_path + TURN_FILE_SUFFIX if database_path else None
        self.busy_timeout_ms = busy_timeout_ms

    # sqlite3's own shortcuts make a plain cursor: route them through ours.
    def cursor(self, factory=None):
        return super().cursor(factory or WriterQueueCursor)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script, /):
        return self.cursor().executescript(script)

    def commit(self):
        try:
            super().commit()
        finally:
            self.end_of_statement()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.end_of_statement()

    def close(self):
        try:
            super().close()
        finally:
            if self._holding:
                self._give_turn_back(closing=True)
            if self._turn_fd is not None:
                os.close(self._turn_fd)  # the kernel drops a flock with its last descriptor
                self._turn_fd = None

    def before_statement(self, sql: str) -> None:
        """Take the turn if ``sql`` starts a transaction that may write."""
        if self._holding or self.turn_path is None or self.in_transaction:
            return
        if not needs_turn(sql):
            return
        held = getattr(_turns_held, "paths", None)
        if held and self.turn_path in held:
            # This thread holds the turn through another connection, inside whose
            # transaction this one writes: waiting for it would wait for ourselves. SQLite's
            # lock decides, as it did before the queue.
            return
        self._take_turn()

    def end_of_statement(self) -> None:
        """Give the turn back once no transaction is open (after commit, rollback, or a
        statement that ran in autocommit)."""
        if self._holding and not self.in_transaction:
            self._give_turn_back()

    def _descriptor(self) -> int:
        pid = os.getpid()
        if self._turn_fd is None or self._turn_pid != pid:
            # Opened per connection and per process: a descriptor inherited across fork
            # would share its lock with the parent.
            mode = 0o644
            database = self.turn_path.removesuffix(TURN_FILE_SUFFIX)
            with contextlib.suppress(OSError):
                mode = os.stat(database).st_mode & 0o666
            self._turn_fd = os.open(self.turn_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, mode)
            self._turn_pid = pid
        return self._turn_fd

    def _take_turn(self) -> None:
        fd = self._descriptor()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waited = _wait_for_lock(fd, self.busy_timeout_ms / 1000)
            # The wait counts against the busy timeout: SQLite's own wait (for a writer
            # outside the queue) gets what is left, so a request gives up on time.
            left = max(1, self.busy_timeout_ms - int(waited * 1000))
            super().execute(f"PRAGMA busy_timeout={left}")
            self._timeout_shortened = True
        self._holding = True
        held = getattr(_turns_held, "paths", None)
        if held is None:
            held = _turns_held.paths = set()
        held.add(self.turn_path)

    def _give_turn_back(self, closing: bool = False) -> None:
        self._holding = False
        getattr(_turns_held, "paths", set()).discard(self.turn_path)
        fcntl.flock(self._turn_fd, fcntl.LOCK_UN)
        if closing:
            return
        if self._timeout_shortened:
            self._timeout_shortened = False
            super().execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")


class WriterQueueCursor(sqlite3.Cursor):
    """A cursor of ``WriterQueueConnection``: its statements take and give back the turn."""

    def execute(self, sql, parameters=(), /):
        connection = self.connection
        connection.before_statement(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            connection.end_of_statement()

    def executemany(self, sql, parameters, /):
        connection = self.connection
        connection.before_statement(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            connection.end_of_statement()

    def executescript(self, script, /):
        connection = self.connection
        connection.before_statement(script)
        try:
            return super().executescript(script)
        finally:
            connection.end_of_statement()


class _GaveUp(Exception):
    pass


def _give_up(_signum, _frame):
    raise _GaveUp


def _wait_for_lock(fd: int, timeout_s: float) -> float:
    """Block until the flock on ``fd`` is ours, for at most ``timeout_s``; the seconds waited.

    The main thread (a sync gunicorn worker's, the CLI's) sleeps in the kernel, which wakes
    it when the holder lets go; an alarm bounds the wait. Other threads, and a main thread
    whose alarm is in use, poll at most a millisecond apart.
    """
    start = time.monotonic()
    if timeout_s <= 0:
        raise TurnTimeout("database is locked")
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)):
        previous = signal.signal(signal.SIGALRM, _give_up)
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout_s)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _GaveUp:
            try:  # the alarm may ring just as the lock was granted
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise TurnTimeout("database is locked") from None
        finally:
            signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
        return time.monotonic() - start
    deadline = start + timeout_s
    pause = _POLL_FIRST_S
    while True:
        time.sleep(pause)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return time.monotonic() - start
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise TurnTimeout("database is locked") from None
        pause = min(pause * 2, _POLL_MAX_S)
