"""Racing transactions for the concurrency tests (PostgreSQL only: SQLite
serialises writers)."""

import threading

from django.db import connections


def at_once(n: int, work) -> list:
    """Run `work(i)` for i in 0..n-1, each in its own thread and database
    connection, all released together. Returns, in the order they finished,
    what each returned or the exception it raised."""
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        try:
            barrier.wait()
            outcomes.append(work(i))
        except Exception as error:  # the caller judges every outcome
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
