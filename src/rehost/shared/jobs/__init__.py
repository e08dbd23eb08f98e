"""Long-running jobs of any kind (a video render, a batch of chat requests): the one lifecycle (``BaseJob``:
poll by the one polling plan, cancel, wait, persist and collect in another process) and the neutral answer to
one poll (``JobState``). Each kind adds only what its result is: ``shared/video/job.py``, ``shared/batch/``."""
