"""Background jobs for members: none yet; notices are delivered by notices/tasks.py."""
